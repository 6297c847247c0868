"""Douyin shop (抖店): the samples mapped to the standard order, both signatures, pushes replayed against the
webhook URL with the order read from the double, and order.searchList polled as reconciliation."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from channels import intake
from channels.adapters.base import NotPlatformFormat, PermanentError, RawRequest, RetryableError, WebhookInfo
from channels.adapters.douyin import adapter as douyin_adapter
from channels.adapters.douyin import client as douyin_client
from channels.adapters.douyin import mapping
from channels.models import ChannelAccount, InboundEvent, InboundStatus
from channels.services import channel_create
from oms.catalog.services import product_create
from oms.orders.models import Order
from oms.orders.types import NewOrder, NewOrderLine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "douyin"
PUSH_META = json.loads((FIXTURES / "doudian_push_trade_create.meta.json").read_text())
API_META = json.loads((FIXTURES / "doudian_order_orderDetail_basic.meta.json").read_text())
APP_KEY = "7311111111111111111"
SECRET = "dy_test_secret_0a1b2c3d"
DETAIL_PATH = "/order/orderDetail"
SEARCH_PATH = "/order/searchList"
PUSHED_ORDER = "6934820019988776655"
REPLY = {"code": 0, "msg": "success"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def signed(body: bytes, app_key: str = APP_KEY, secret: str = SECRET) -> dict[str, str]:
    return {
        "app-id": app_key,
        "event-sign": mapping.event_sign(app_key=app_key, body=body, app_secret=secret),
    }


# --- pure: signatures, push messages, mapping ----------------------------------------------------------


def test_the_api_signature_equals_the_documented_value():
    documented = API_META["signature"]

    signature = mapping.api_sign(
        app_key=documented["app_key"],
        app_secret=API_META["secret"],
        method=documented["method"],
        param_json=mapping.param_json({"shop_order_id": "6934812751203967841"}),
        timestamp=documented["timestamp"],
    )

    assert signature == documented["value"] == API_META["request"]["query"]["sign"]
    assert mapping.param_json({"shop_order_id": "6934812751203967841"}) == API_META["request"]["body"]


def test_param_json_sorts_keys_without_spaces_or_escaping():
    assert mapping.param_json({"size": 100, "page": 0, "order_asc": True, "b": "中文<>"}) == (
        '{"b":"中文<>","order_asc":true,"page":0,"size":100}'
    )


def test_the_push_signature_equals_the_documented_header():
    body = fixture("doudian_push_trade_create.json")

    signature = mapping.event_sign(
        app_key=PUSH_META["headers"]["app-id"], body=body, app_secret=PUSH_META["secret"]
    )

    assert signature == PUSH_META["signature"]["value"] == PUSH_META["headers"]["event-sign"]


def test_the_detail_sample_maps_to_the_standard_order():
    order = mapping.order_from_detail_response(mapping.load(fixture("doudian_order_orderDetail_basic.json")))

    assert order == NewOrder(
        external_id="6934812751203967841",
        external_number="6934812751203967841",
        currency="CNY",
        placed_at=utc(2026, 11, 22, 3, 20, 5),
        platform_updated_at=utc(2026, 11, 22, 3, 21, 40),
        platform_status="order_status=2",
        payment_pending=False,
        cancelled=False,
        hold=False,
        customer={"name": "王*", "email": "", "phone": "1********21"},
        shipping_address={
            "name": "王*",
            "phone": "1********21",
            "country": "CN",
            "province": "浙江省",
            "city": "杭州市",
            "district": "余杭区",
            "detail": "五常街道文一西路****",
            "postal_code": "",
        },
        subtotal=Decimal("128.00"),
        shipping_total=Decimal("0.00"),
        discount_total=Decimal("0.00"),
        tax_total=Decimal("0.00"),
        total=Decimal("128.00"),
        note="发顺丰可以吗",
        lines=(
            NewOrderLine(
                sku="TEA-LJ-250G",
                channel_sku="1798765432101234",
                title="2026新茶 明前西湖龙井 250g 礼盒",
                variant="净含量:250g;包装:礼盒装",
                quantity=1,
                unit_price=Decimal("128.00"),
                total=Decimal("128.00"),
            ),
        ),
    )


def test_fen_become_yuan_and_a_line_without_out_sku_id_falls_back_to_its_code():
    order = mapping.order_from_detail_response(
        mapping.load(fixture("doudian_order_orderDetail_two_skus.json"))
    )

    assert [
        (line.sku, line.channel_sku, line.quantity, line.unit_price, line.total) for line in order.lines
    ] == [
        ("TEA-LJ-250G", "1798765432101234", 1, Decimal("128.00"), Decimal("128.00")),
        ("CUP-QC", "1798765432109999", 2, Decimal("39.00"), Decimal("78.00")),
    ]
    assert (order.subtotal, order.shipping_total, order.discount_total, order.total) == (
        Decimal("206.00"),
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("196.00"),
    )
    assert order.shipping_address == {
        "name": "赵*",
        "phone": "1********08",
        "country": "CN",
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "detail": "张江镇祖冲之路****",
        "postal_code": "",
    }


@pytest.mark.parametrize(
    ("fen", "yuan"),
    [
        (12800, "128.00"),
        (1, "0.01"),
        (0, "0.00"),
        ("19990", "199.90"),
        (None, "0.00"),
        (123456789012, "1234567890.12"),
    ],
)
def test_fen_amounts_become_exact_yuan(fen, yuan):
    assert str(mapping.yuan(fen)) == yuan


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (1795317605, utc(2026, 11, 22, 3, 20, 5)),
        (0, None),
        (None, None),
        ("1795317700", utc(2026, 11, 22, 3, 21, 40)),
    ],
)
def test_unix_seconds_become_aware_utc(seconds, expected):
    assert mapping.unix_time(seconds) == expected


@pytest.mark.parametrize(
    ("order_status", "expected"),
    [
        (1, ("order_status=1", True, False, False)),
        (105, ("order_status=105", True, False, False)),
        (2, ("order_status=2", False, False, False)),
        (101, ("order_status=101", False, False, True)),
        (3, ("order_status=3", False, False, True)),
        (4, ("order_status=4", False, True, False)),
        (5, ("order_status=5", False, False, True)),
        (99, ("order_status=99", False, False, True)),
    ],
)
def test_order_status_becomes_waiting_cancelled_or_held(order_status, expected):
    detail = mapping.load(fixture("doudian_order_orderDetail_basic.json"))["data"]["shop_order_detail"]

    order = mapping.order_from_doudian({**detail, "order_status": order_status})

    waiting = order.payment_pending or bool(order.platform_hold)
    assert (order.platform_status, waiting, order.cancelled, order.hold) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"post_receiver": "#q9Zt#Jm2oLk=*CgYIASAH#1##", "mask_post_receiver": "王*"}, "王*"),
        ({"post_receiver": "王小二", "mask_post_receiver": "王*"}, "王小二"),
        ({"post_receiver": "", "mask_post_receiver": ""}, ""),
    ],
)
def test_receiver_ciphertexts_give_way_to_the_masks(fields, expected):
    detail = mapping.load(fixture("doudian_order_orderDetail_basic.json"))["data"]["shop_order_detail"]

    order = mapping.order_from_doudian({**detail, **fields})

    assert (order.customer["name"], order.shipping_address["name"]) == (expected, expected)


def test_a_push_names_its_parent_order_exactly_though_it_is_above_two_to_the_53():
    messages = mapping.push_messages(fixture("doudian_push_trade_create.json"))

    assert mapping.fetch_ids(messages) == ["6934820019988776655"]
    assert int(mapping.fetch_ids(messages)[0]) > 2**53


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([{"tag": "106", "msg_id": "1", "data": '{"p_id":7000000000000000001}'}], ["7000000000000000001"]),
        (
            [
                {"tag": "101", "msg_id": "1", "data": '{"p_id":7000000000000000001}'},
                {"tag": "102", "msg_id": "2", "data": '{"p_id":7000000000000000001}'},
                {"tag": "126", "msg_id": "3", "data": '{"p_id":"7000000000000000002"}'},
                {"tag": "105", "msgId": "4", "data": '{"p_id":"7000000000000000003"}'},
            ],
            ["7000000000000000001", "7000000000000000003"],
        ),
        ([{"tag": "200", "msg_id": "1", "data": '{"p_id":7000000000000000001,"s_id":1}'}], []),
    ],
    ids=["cancelled", "several, once each, trade tags only", "after-sales only"],
)
def test_trade_messages_name_the_orders_to_read(messages, expected):
    assert mapping.fetch_ids(messages) == expected


@pytest.mark.parametrize(
    ("body", "event_id", "topic"),
    [
        (b'[{"tag":"100","msg_id":"11","data":"{}"}]', "11", "100"),
        (b'[{"tag":"101","msg_id":"11","data":"{}"},{"tag":"101","msgId":"12","data":"{}"}]', "11,12", "101"),
        (
            b'[{"tag":"105","msg_id":"11","data":"{}"},{"tag":"113","msg_id":"12","data":"{}"}]',
            "11,12",
            "105,113",
        ),
    ],
)
def test_inspect_reads_the_message_ids_and_answers_as_douyin_expects(body, event_id, topic):
    info = douyin_adapter.ADAPTER.inspect(RawRequest(headers={}, body=body))

    assert info == WebhookInfo(event_id=event_id, topic=topic, reply=REPLY)


@pytest.mark.parametrize(
    "body",
    [b'{"tag":"100","msg_id":"1","data":"{}"}', b"[]", b'[{"msg_id":"1","data":"{}"}]', b"[1]", b"not json"],
    ids=["an object", "empty", "no tag", "not a message", "not json"],
)
def test_a_body_that_is_not_a_tagged_array_is_not_douyin_format(body):
    with pytest.raises(NotPlatformFormat):
        douyin_adapter.ADAPTER.inspect(RawRequest(headers={}, body=body))


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ({"code": 60000, "msg": "触发限流，请稍后重试"}, RetryableError),
        ({"code": 20000, "msg": "服务不可用"}, RetryableError),
        ({"code": 20001, "msg": "内部服务超时"}, RetryableError),
        ({"code": 40003, "msg": "非法的参数", "sub_code": "isv.access-token-expired"}, PermanentError),
        ({"code": 30001, "msg": "操作权限不足", "sub_code": "dop.authorization-no-existed"}, PermanentError),
        ({"code": 40004, "msg": "非法的参数（业务校验）"}, PermanentError),
    ],
)
def test_answer_codes_other_than_10000_are_retryable_only_when_transient(answer, kind):
    assert type(douyin_client.error_from("order.orderDetail", {**answer, "log_id": "x"})) is kind


# --- pushes through the real webhook URL ---------------------------------------------------------------


@pytest.fixture
def channel(merchant, platform) -> ChannelAccount:
    return channel_create(
        merchant=merchant,
        kind="douyin",
        name="山茶花茶叶旗舰店",
        config={
            "app_key": APP_KEY,
            "app_secret": SECRET,
            "access_token": "dy_test_access_token_5d4c3b2a",
            "api_base_url": platform.url,
        },
    )


@pytest.fixture
def send(client, channel, django_capture_on_commit_callbacks):
    def post(body: bytes, headers: dict[str, str]):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                channel.webhook_path, data=body, content_type="application/json", headers=headers
            )

    return post


def test_a_signed_push_is_answered_and_its_order_read_and_filed(send, channel, platform, api, merchant):
    for sku in ("TEA-LJ-250G", "CUP-QC"):
        product_create(merchant=merchant, sku=sku, title=sku)
    platform.add_fixture("POST", DETAIL_PATH, "channels/douyin/doudian_order_orderDetail_two_skus.json")
    body = fixture("doudian_push_trade_create.json")

    response = send(
        body, {"app-id": PUSH_META["headers"]["app-id"], "event-sign": PUSH_META["headers"]["event-sign"]}
    )

    assert (response.status_code, response.json()) == (202, REPLY)
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.external_event_id, event.topic, bytes(event.body)) == (
        InboundStatus.PROCESSED,
        "7441203344556677889",
        "100",
        body,
    )
    [call] = platform.requests
    query = {key: values[0] for key, values in call.query.items()}
    assert {k: v for k, v in query.items() if k not in ("timestamp", "sign")} == {
        "app_key": APP_KEY,
        "method": "order.orderDetail",
        "access_token": "dy_test_access_token_5d4c3b2a",
        "v": "2",
        "sign_method": "hmac-sha256",
    }
    assert call.body == b'{"shop_order_id":"6934820019988776655"}'
    assert query["sign"] == mapping.api_sign(
        app_key=APP_KEY,
        app_secret=SECRET,
        method="order.orderDetail",
        param_json=call.body.decode(),
        timestamp=query["timestamp"],
    )
    listing = api.get("/api/v1/orders/").json()
    assert listing["count"] == 1
    order = api.get(f"/api/v1/orders/{listing['results'][0]['id']}/").json()
    assert {k: order[k] for k in ("external_id", "currency", "placed_at", "note")} == {
        "external_id": PUSHED_ORDER,
        "currency": "CNY",
        "placed_at": "2026-11-22T11:03:41Z",
        "note": "",
    }
    assert [order[k] for k in ("subtotal", "shipping_total", "discount_total", "tax_total", "total")] == [
        "206.00",
        "10.00",
        "20.00",
        "0.00",
        "196.00",
    ]
    assert {
        k: order["shipping_address"][k] for k in ("province", "city", "district", "detail", "region_code")
    } == {
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "detail": "张江镇祖冲之路****",
        "region_code": "310115",
    }
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
        ("TEA-LJ-250G", 1, "128.00"),
        ("CUP-QC", 2, "39.00"),
    ]
    assert [issue["code"] for issue in order["issues"] if issue["code"] != "insufficient_stock"] == []
    assert [event["kind"] for event in order["events"]][:1] == ["created"]
    assert "held" not in [event["kind"] for event in order["events"]]


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({"app-id": APP_KEY, "event-sign": "0" * 32}, "event-sign does not match the body"),
        ({"app-id": APP_KEY}, "the event-sign header is missing"),
        ({}, "the event-sign header is missing"),
        ({"app-id": "7399999999999999999", "event-sign": PUSH_META["headers"]["event-sign"]}, "app-id"),
        ("signed with another secret", "event-sign does not match the body"),
    ],
    ids=["wrong sign", "no sign", "no headers", "another app", "another secret"],
)
def test_a_badly_signed_push_is_401_stored_rejected_and_files_nothing(
    send, channel, platform, headers, error
):
    body = fixture("doudian_push_trade_create.json")
    if headers == "signed with another secret":
        headers = signed(body, secret="not_the_secret")

    response = send(body, headers)

    assert response.status_code == 401
    event = InboundEvent.objects.get(channel=channel)
    assert event.status == InboundStatus.REJECTED
    assert error in event.error
    assert platform.requests == []
    assert not Order.objects.filter(channel=channel).exists()


def test_the_same_msg_id_again_is_a_duplicate_and_files_no_second_order(send, channel, platform):
    platform.add_fixture("POST", DETAIL_PATH, "channels/douyin/doudian_order_orderDetail_two_skus.json")
    body = fixture("doudian_push_trade_create.json")
    send(body, signed(body))

    again = send(body, signed(body))

    assert (again.status_code, again.json()) == (200, REPLY)
    assert list(
        InboundEvent.objects.filter(channel=channel).order_by("received_at").values_list("status", flat=True)
    ) == [
        InboundStatus.PROCESSED,
        InboundStatus.DUPLICATE,
    ]
    assert len(platform.requests) == 1
    assert Order.objects.filter(channel=channel).count() == 1


def test_a_later_cancel_push_with_a_newer_update_time_cancels_the_order(send, channel, platform):
    create, cancel = fixture("doudian_push_trade_create.json"), fixture("doudian_push_trade_canceled.json")
    platform.add_fixture("POST", DETAIL_PATH, "channels/douyin/doudian_order_orderDetail_two_skus.json")
    platform.add_fixture(
        "POST", DETAIL_PATH, "channels/douyin/doudian_order_orderDetail_two_skus_cancelled.json"
    )
    send(create, signed(create))

    response = send(cancel, signed(cancel))

    assert (response.status_code, response.json()) == (202, REPLY)
    order = Order.objects.get(channel=channel, external_id=PUSHED_ORDER)
    assert (order.status, order.platform_status, order.platform_updated_at) == (
        "cancelled",
        "order_status=4",
        utc(2026, 11, 22, 12, 3, 20),
    )
    assert order.events.get(kind="cancelled").reason == "cancelled on the platform"
    assert InboundEvent.objects.get(external_event_id="7441203344556677901").topic == "106"


def test_a_push_that_reads_an_older_version_changes_nothing(send, channel, platform):
    create, change = (
        fixture("doudian_push_trade_create.json"),
        fixture("doudian_push_trade_address_changed.json"),
    )
    platform.add_fixture("POST", DETAIL_PATH, "channels/douyin/doudian_order_orderDetail_two_skus.json")
    platform.add_fixture("POST", DETAIL_PATH, "channels/douyin/doudian_order_orderDetail_two_skus_older.json")
    send(create, signed(create))
    order = Order.objects.get(channel=channel, external_id=PUSHED_ORDER)
    kinds = list(order.events.values_list("kind", flat=True))

    response = send(change, signed(change))

    assert response.status_code == 202
    order.refresh_from_db()
    assert (order.shipping_address["district"], order.shipping_address["detail"]) == (
        "浦东新区",
        "张江镇祖冲之路****",
    )
    assert order.platform_updated_at == utc(2026, 11, 22, 11, 5, 30)
    assert list(order.events.values_list("kind", flat=True)) == kinds
    assert InboundEvent.objects.get(external_event_id="7441203344556677902").status == InboundStatus.DUPLICATE


@pytest.mark.parametrize(
    "body",
    [
        b'{"tag":"100","msg_id":"7441203344556677889","data":"{}"}',
        b'[{"msg_id":"7441203344556677889","data":"{}"}]',
    ],
    ids=["not an array", "no tag"],
)
def test_a_signed_body_that_is_not_a_push_is_400_and_stored_failed(send, channel, platform, body):
    response = send(body, signed(body))

    assert response.status_code == 400
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, bytes(event.body)) == (InboundStatus.FAILED, body)
    assert platform.requests == []
    assert not Order.objects.filter(channel=channel).exists()


def test_an_after_sales_push_is_processed_without_reading_an_order(send, channel, platform):
    body = fixture("doudian_push_refund_created.json")

    response = send(body, signed(body))

    assert (response.status_code, response.json()) == (202, REPLY)
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.topic, event.order_ids) == (InboundStatus.PROCESSED, "200", [])
    assert platform.requests == []


def test_a_refused_order_read_leaves_the_push_failed_and_replayable(send, channel, platform):
    platform.add_fixture("POST", DETAIL_PATH, "channels/douyin/doudian_error_token_expired.json")
    body = fixture("doudian_push_trade_create.json")

    response = send(body, signed(body))

    assert response.status_code == 202
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.error) == (
        InboundStatus.FAILED,
        "PermanentError: Douyin shop order.orderDetail error 40003: 非法的参数（平台校验） "
        "isv.access-token-expired access_token已过期 (log_id 20261122220003A1B2C3D4E5F6071843)",
    )
    assert not Order.objects.filter(channel=channel).exists()


# --- order.searchList polled as reconciliation -----------------------------------------------------------

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
HEAD = int(NOW.timestamp()) - douyin_adapter.LAG_SECONDS
START = HEAD - 86400


@pytest.fixture
def polled(channel, monkeypatch) -> ChannelAccount:
    monkeypatch.setattr(douyin_adapter.ADAPTER, "clock", lambda: NOW)
    config = {**channel.config, "page_size": 2}
    channel.config = config
    channel.save()
    ChannelAccount.objects.filter(pk=channel.pk).update(poll_cursor={"update_time_start": START})
    return channel


def test_polling_pages_past_the_newest_update_of_each_full_page(polled, platform):
    platform.add_fixture("POST", SEARCH_PATH, "channels/douyin/doudian_order_searchList_page1.json")
    platform.add_fixture("POST", SEARCH_PATH, "channels/douyin/doudian_order_searchList_page2.json")

    pages = intake.channel_poll(channel_id=polled.pk)

    assert pages == 2
    assert [json.loads(r.body) for r in platform.requests] == [
        {
            "order_asc": True,
            "order_by": "update_time",
            "page": 0,
            "size": 2,
            "update_time_end": HEAD,
            "update_time_start": START,
        },
        {
            "order_asc": True,
            "order_by": "update_time",
            "page": 0,
            "size": 2,
            "update_time_end": HEAD,
            "update_time_start": 1795345529,
        },
    ]
    assert all(
        {k: v[0] for k, v in r.query.items() if k not in ("timestamp", "sign")}
        == {
            "app_key": APP_KEY,
            "method": "order.searchList",
            "access_token": "dy_test_access_token_5d4c3b2a",
            "v": "2",
            "sign_method": "hmac-sha256",
        }
        for r in platform.requests
    )
    polled.refresh_from_db()
    assert polled.poll_cursor == {"update_time_start": HEAD - 300}
    assert sorted(Order.objects.filter(channel=polled).values_list("external_id", "status")) == [
        ("6934812751203967841", "new"),
        ("6934820019988776655", "new"),
        ("6934830000000000001", "on_hold"),
    ]


def test_a_whole_page_within_one_second_pages_by_number(polled, platform):
    page = json.loads(fixture("doudian_order_searchList_page1.json"))
    for order in page["data"]["shop_order_list"]:
        order["update_time"] = START
    platform.add("POST", SEARCH_PATH, page)
    platform.add_fixture("POST", SEARCH_PATH, "channels/douyin/doudian_order_searchList_page2.json")

    intake.channel_poll(channel_id=polled.pk)

    assert [
        (json.loads(r.body)["update_time_start"], json.loads(r.body)["page"]) for r in platform.requests
    ] == [
        (START, 0),
        (START, 1),
    ]


def test_a_rate_limited_poll_backs_off(polled, platform):
    platform.add_fixture("POST", SEARCH_PATH, "channels/douyin/doudian_error_rate_limited.json")

    pages = intake.channel_poll(channel_id=polled.pk)

    polled.refresh_from_db()
    assert pages == 0
    assert polled.last_error == (
        "Douyin shop order.searchList error 60000: 触发限流，请稍后重试 isp.service-error "
        "触发限流，请稍后重试 (log_id 20261122220002A1B2C3D4E5F6071842) (retry in 60 s)"
    )
    assert set(polled.poll_cursor) == {"update_time_start", "backoff_until"}
    assert polled.poll_cursor["update_time_start"] == START
    assert datetime.fromisoformat(polled.poll_cursor["backoff_until"]) > datetime.now(UTC) + timedelta(
        seconds=50
    )
    assert not Order.objects.filter(channel=polled).exists()


def test_a_stored_search_page_parses_to_its_orders(channel):
    body = fixture("doudian_order_searchList_page1.json")

    parsed = douyin_adapter.ADAPTER.parse(RawRequest(headers={}, body=body), intake.account_view(channel))

    assert [o.external_id for o in parsed.orders] == ["6934812751203967841", "6934820019988776655"]
    assert parsed.fetch_ids == []


def test_the_detail_mapping_keeps_working_on_a_copy_without_masks():
    detail = copy.deepcopy(
        mapping.load(fixture("doudian_order_orderDetail_basic.json"))["data"]["shop_order_detail"]
    )
    del detail["mask_post_addr"]
    detail["post_addr"]["detail"] = "文一西路 969 号"

    order = mapping.order_from_doudian(detail)

    assert order.shipping_address["detail"] == "五常街道文一西路 969 号"
