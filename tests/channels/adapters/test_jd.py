"""JD JOS: the request signature against the sample's recorded ``sign``, search results mapped to the standard
order, and ``jingdong.pop.order.search`` polled on the double (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from channels import intake
from channels.adapters.base import PermanentError, RawRequest, RetryableError
from channels.adapters.jd import mapping
from channels.adapters.jd.adapter import ADAPTER, OPTIONAL_FIELDS, window_end
from channels.adapters.jd.client import JosClient, error_from
from channels.models import ChannelAccount, InboundEvent
from channels.services import channel_create
from oms.orders.models import Order
from oms.orders.types import NewOrder, NewOrderLine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "jd"
ROUTER = "/routerjson"
META = json.loads((FIXTURES / "jd_pop_order_search_page.meta.json").read_text())
SECRET = META["secret"]
WAITING, CANCELED, LOCKED = "312456789012", "312456790555", "312456799001"
NOW = datetime(2026, 11, 21, 16, 5, tzinfo=UTC)  # 2026-11-22 00:05 in Beijing: the sample's timestamp
ALL_STATES = (
    "WAIT_SELLER_STOCK_OUT,WAIT_GOODS_RECEIVE_CONFIRM,WAIT_SELLER_DELIVERY,PAUSE,FINISHED_L,TRADE_CANCELED,"
    "LOCKED,POP_ORDER_PAUSE"
)


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def search_page(order_id: str = WAITING, **changes) -> dict:
    """A one-order search answer: a recorded order, changed as JD would change it later."""
    answer = copy.deepcopy(load("jd_pop_order_search_page.json"))
    result = answer["jingdong_pop_order_search_responce"]["searchorderinfo_result"]
    order = next(o for o in result["orderInfoList"] if o["orderId"] == order_id)
    consignee = changes.pop("consigneeInfo", None)
    order.update(changes)
    if consignee is not None:
        order["consigneeInfo"].update(consignee)
    result["orderInfoList"], result["orderTotal"] = [order], 1
    return answer


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(ADAPTER, "clock", lambda: NOW)


@pytest.fixture
def channel(merchant, platform):
    created = channel_create(
        merchant=merchant,
        kind="jd",
        name="山茶花京东自营店",
        config={
            "app_key": "JDTESTAPPKEY0001",
            "app_secret": SECRET,
            "access_token": "jd_test_access_token_3f2e1d0c9b8a",
            "page_size": 2,
            "api_base_url": platform.url,
        },
    )
    created.poll_cursor = {"next_start": "2026-11-20T16:00:00+00:00"}  # 2026-11-21 00:00 in Beijing
    created.save()
    return created


def queue(platform, *answers) -> None:
    platform.routes[("POST", ROUTER)].clear()
    for answer in answers:
        if isinstance(answer, str):
            platform.add_fixture("POST", ROUTER, f"channels/jd/{answer}")
        else:
            platform.add("POST", ROUTER, answer)


def queue_recorded_window(platform) -> None:
    queue(
        platform,
        "jd_pop_order_search_page1of2.json",
        "jd_pop_order_search_page2of2.json",
        "jd_pop_order_search_empty.json",
    )


def business(request) -> dict:
    return json.loads(request.form()["360buy_param_json"])


def sync(api, channel) -> None:
    assert api.post(f"/api/v1/channels/{channel.pk}/sync/").status_code == 202


def listed(api, channel) -> dict[str, str]:
    body = api.get(f"/api/v1/orders/?channel={channel.pk}").json()
    return {order["external_id"]: order["status"] for order in body["results"]}


def detail(api, channel, external_id: str) -> dict:
    found = api.get(f"/api/v1/orders/?channel={channel.pk}&external_id={external_id}").json()["results"]
    assert len(found) == 1
    return api.get(f"/api/v1/orders/{found[0]['id']}/").json()


# --- signature -------------------------------------------------------------------------------------------


def test_the_signature_of_the_recorded_request():
    params = META["signature"]["params_signed"]

    assert mapping.canonical_string(params) == META["signature"]["canonical_string"]
    assert mapping.sign(params, SECRET) == META["signature"]["value"] == META["request"]["params"]["sign"]


def test_the_client_posts_exactly_the_recorded_request():
    recorded = META["request"]["params"]
    param_json = mapping.search_param_json(
        start=datetime(2026, 11, 20, 16, tzinfo=UTC),
        end=datetime(2026, 11, 21, 15, 59, 59, tzinfo=UTC),
        states="WAIT_SELLER_STOCK_OUT,TRADE_CANCELED",
        fields=OPTIONAL_FIELDS,
        page=1,
        page_size=50,
    )
    client = JosClient(app_key="JDTESTAPPKEY0001", app_secret=SECRET, access_token=recorded["access_token"])

    params = client.signed_params("jingdong.pop.order.search", param_json, "2026-11-22 00:05:00")

    assert param_json == recorded["360buy_param_json"]
    assert params == recorded


def test_a_changed_json_string_changes_the_signature():
    params = dict(META["signature"]["params_signed"])
    params["360buy_param_json"] = params["360buy_param_json"].replace('","', '", "', 1)

    assert mapping.sign(params, SECRET) != META["signature"]["value"]


# --- mapping (pure) --------------------------------------------------------------------------------------

WAITING_ORDER = NewOrder(
    external_id=WAITING,
    external_number=WAITING,
    currency="CNY",
    placed_at=datetime(2026, 11, 21, 1, 12, 45, tzinfo=UTC),
    platform_updated_at=datetime(2026, 11, 21, 1, 13, 2, tzinfo=UTC),
    platform_status="WAIT_SELLER_STOCK_OUT",
    payment_pending=False,
    cancelled=False,
    platform_hold="",
    hold=False,
    customer={"name": "张**", "email": "", "phone": "138****5678"},
    shipping_address={
        "name": "张**",
        "phone": "138****5678",
        "country": "CN",
        "province": "北京",
        "city": "朝阳区",
        "district": "三环到四环之间",
        "detail": "**********",
        "postal_code": "",
    },
    subtotal=Decimal("398.00"),
    shipping_total=Decimal("5.00"),
    discount_total=Decimal("20.00"),
    tax_total=Decimal("0"),
    total=Decimal("383.00"),
    note="周末也可以送，放门卫",
    lines=(
        NewOrderLine(
            sku="TEA-LJ-250G",
            channel_sku="100012345678",
            title="山茶花 明前西湖龙井 250g 礼盒装",
            quantity=2,
            unit_price=Decimal("199.00"),
        ),
    ),
)

CANCELED_ORDER = NewOrder(
    external_id=CANCELED,
    external_number=CANCELED,
    currency="CNY",
    placed_at=datetime(2026, 11, 21, 2, 40, 11, tzinfo=UTC),
    platform_updated_at=datetime(2026, 11, 21, 3, 2, 37, tzinfo=UTC),
    platform_status="TRADE_CANCELED",
    payment_pending=False,
    cancelled=True,
    hold=False,
    customer={"name": "欧阳**", "email": "", "phone": "139****0021"},
    shipping_address={
        "name": "欧阳**",
        "phone": "139****0021",
        "country": "CN",
        "province": "广东",
        "city": "深圳市",
        "district": "南山区",
        "detail": "粤海街道**********",
        "postal_code": "",
    },
    subtotal=Decimal("87.80"),
    shipping_total=Decimal("0.00"),
    discount_total=Decimal("0.00"),
    tax_total=Decimal("0"),
    total=Decimal("87.80"),
    note="",
    lines=(
        NewOrderLine(
            sku="CUP-GL-300",
            channel_sku="100023456789",
            title="双层玻璃茶杯 300ml 透明",
            quantity=2,
            unit_price=Decimal("43.90"),
        ),
        NewOrderLine(
            sku="", channel_sku="100099990000", title="【赠品】杯刷", quantity=1, unit_price=Decimal("0.00")
        ),
    ),
)


def test_the_sample_page_maps_to_exact_orders():
    body = (FIXTURES / "jd_pop_order_search_page.json").read_bytes()

    assert ADAPTER.parse(RawRequest(headers={}, body=body), account=None).orders == [
        WAITING_ORDER,
        CANCELED_ORDER,
    ]


def test_the_sample_meta_expectations_hold():
    expected = META["expected"]
    orders = mapping.orders_from_page((FIXTURES / "jd_pop_order_search_page.json").read_bytes())

    assert len(orders) == expected["orders"]
    assert orders[0].lines[0].quantity == expected["order1_quantity"]
    assert str(orders[0].lines[0].unit_price) == expected["order1_unit_price"]
    assert orders[1].cancelled is (expected["order2_state"] == "cancelled")


@pytest.mark.parametrize(
    ("consignee", "detail"),
    [
        (
            {
                "province": "北京",
                "city": "朝阳区",
                "county": "三环到四环之间",
                "fullAddress": "北京朝阳区三环到四环之间建国路93号",
            },
            "建国路93号",
        ),
        (
            {
                "province": "广东",
                "city": "深圳市",
                "county": "南山区",
                "fullAddress": "广东深圳市南山区粤海街道科苑路15号",
            },
            "粤海街道科苑路15号",
        ),
        (
            {"province": "广东", "city": "深圳市", "county": "南山区", "fullAddress": "科苑路15号"},
            "科苑路15号",
        ),
    ],
)
def test_the_street_is_the_full_address_without_its_region(consignee, detail):
    assert mapping.shipping_address(consignee)["detail"] == detail


def test_an_address_withheld_by_jd_is_blank_region_and_all():
    consignee = {
        "fullname": "",
        "mobile": "",
        "province": "北京",
        "city": "朝阳区",
        "county": "三环到四环之间",
    }

    address = mapping.shipping_address({**consignee, "fullAddress": ""})

    assert address == {
        "name": "",
        "phone": "",
        "country": "CN",
        "province": "",
        "city": "",
        "district": "",
        "detail": "",
        "postal_code": "",
    }


def test_a_landline_is_taken_when_there_is_no_mobile():
    address = mapping.shipping_address({"mobile": "", "telephone": "010-6552****"})

    assert address["phone"] == "010-6552****"


@pytest.mark.parametrize(
    ("state", "cancelled", "platform_hold", "hold"),
    [
        ("WAIT_SELLER_STOCK_OUT", False, "", False),
        ("WAIT_SELLER_DELIVERY", False, "", False),
        ("WAIT_GOODS_RECEIVE_CONFIRM", False, "", True),
        ("FINISHED_L", False, "", True),
        ("TRADE_CANCELED", True, "", False),
        ("LOCKED", False, "LOCKED: locked on JD (a cancellation or after-sale request is pending)", False),
        ("PAUSE", False, "PAUSE: paused on JD", False),
        ("POP_ORDER_PAUSE", False, "POP_ORDER_PAUSE: paused on JD", False),
    ],
)
def test_status_map(state, cancelled, platform_hold, hold):
    info = search_page(orderState=state)["jingdong_pop_order_search_responce"]["searchorderinfo_result"]
    order = mapping.order_from_jd(info["orderInfoList"][0])

    assert (order.cancelled, order.platform_hold, order.hold, order.payment_pending) == (
        cancelled,
        platform_hold,
        hold,
        False,
    )
    assert order.platform_status == state


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21 09:12:45", datetime(2026, 11, 21, 1, 12, 45, tzinfo=UTC)),
        ("2026-11-21 03:00:00", datetime(2026, 11, 20, 19, 0, tzinfo=UTC)),
        ("", None),
    ],
)
def test_beijing_times_become_aware_utc(text, expected):
    assert mapping.parse_time(text) == expected


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (load("jd_error_call_limited.json")["error_response"], RetryableError),
        (
            {"code": "67", "zh_desc": "平台连接后端服务超时", "en_desc": "Remote service timeout"},
            RetryableError,
        ),
        (load("jd_error_invalid_access_token.json")["error_response"], PermanentError),
        ({"code": "12", "zh_desc": "无效签名", "en_desc": "Invalid Signature"}, PermanentError),
    ],
)
def test_gateway_errors_are_retryable_or_permanent(error, kind):
    assert type(error_from(error)) is kind


@pytest.mark.parametrize(
    ("start", "length", "end"),
    [
        (datetime(2026, 11, 20, 16, tzinfo=UTC), timedelta(days=1), datetime(2026, 11, 21, 16, tzinfo=UTC)),
        (datetime(2026, 11, 21, 15, tzinfo=UTC), timedelta(days=1), NOW),
        (datetime(2026, 9, 1, tzinfo=UTC), timedelta(days=90), datetime(2026, 10, 1, tzinfo=UTC)),
    ],
)
def test_a_window_is_never_longer_than_thirty_days(start, length, end):
    assert window_end(start, NOW, length) == end


# --- polling on the double -------------------------------------------------------------------------------


def test_polling_pages_a_window_then_reads_the_next_one(channel, platform):
    queue_recorded_window(platform)

    pages = intake.channel_poll(channel_id=channel.pk)

    assert pages == 3
    assert [business(r) for r in platform.requests] == [
        {
            "start_date": "2026-11-21 00:00:00",
            "end_date": "2026-11-22 00:00:00",
            "order_state": ALL_STATES,
            "optional_fields": OPTIONAL_FIELDS,
            "page": page,
            "page_size": "2",
            "sortType": "1",
            "dateType": "0",
        }
        for page in ("1", "2")
    ] + [
        {
            "start_date": "2026-11-21 23:55:00",
            "end_date": "2026-11-22 00:05:00",
            "order_state": ALL_STATES,
            "optional_fields": OPTIONAL_FIELDS,
            "page": "1",
            "page_size": "2",
            "sortType": "1",
            "dateType": "0",
        }
    ]
    first = platform.requests[0].form()
    assert {key: value for key, value in first.items() if key not in ("360buy_param_json", "sign")} == {
        "method": "jingdong.pop.order.search",
        "app_key": "JDTESTAPPKEY0001",
        "access_token": "jd_test_access_token_3f2e1d0c9b8a",
        "timestamp": "2026-11-22 00:05:00",
        "v": "2.0",
    }
    assert all(r.form()["sign"] == mapping.sign(r.form(), SECRET) for r in platform.requests)
    channel.refresh_from_db()
    assert channel.poll_cursor == {"next_start": "2026-11-21T16:00:00+00:00"}  # now − 5 minutes
    assert (channel.status, channel.last_error) == ("active", "")
    assert dict(Order.objects.values_list("external_id", "status")) == {
        WAITING: "new",
        CANCELED: "cancelled",
        LOCKED: "on_hold",
    }


def test_the_persisted_cursor_is_what_the_next_poll_sends(channel, platform):
    queue_recorded_window(platform)
    intake.channel_poll(channel_id=channel.pk)
    queue(platform, "jd_pop_order_search_empty.json")
    seen = len(platform.requests)

    assert intake.channel_poll(channel_id=channel.pk) == 1

    (request,) = platform.requests[seen:]
    assert (business(request)["start_date"], business(request)["page"]) == ("2026-11-22 00:00:00", "1")


def test_each_page_is_stored_as_jd_sent_it(channel, platform):
    queue_recorded_window(platform)

    intake.channel_poll(channel_id=channel.pk)

    first = InboundEvent.objects.filter(channel=channel).order_by("received_at").first()
    assert json.loads(bytes(first.body)) == load("jd_pop_order_search_page1of2.json")


# --- through the API: sync, dedup, versions, errors ------------------------------------------------------


def test_sync_files_the_orders_of_the_channel(api, channel, platform, rival_api):
    queue_recorded_window(platform)

    sync(api, channel)

    assert listed(api, channel) == {WAITING: "new", CANCELED: "cancelled", LOCKED: "on_hold"}
    order = detail(api, channel, WAITING)
    address = order["shipping_address"]
    assert (address["province"], address["city"], address["district"], address["region_code"]) == (
        "北京市",
        "北京市",
        "朝阳区",
        "110105",
    )
    assert (address["name"], address["phone"], order["customer"]["phone"]) == (
        "张**",
        "138****5678",
        "138****5678",
    )
    assert (order["subtotal"], order["shipping_total"], order["discount_total"], order["total"]) == (
        "398.00",
        "5.00",
        "20.00",
        "383.00",
    )
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
        ("TEA-LJ-250G", 2, "199.00")
    ]
    assert order["placed_at"] == "2026-11-21T01:12:45Z"
    cancelled = detail(api, channel, CANCELED)
    assert cancelled["shipping_address"]["province"] == "广东省"
    assert [(line["sku"], line["channel_sku"], line["unit_price"]) for line in cancelled["lines"]] == [
        ("CUP-GL-300", "100023456789", "43.90"),
        ("100099990000", "100099990000", "0.00"),  # a gift has no seller SKU: the core files it by JD's skuId
    ]
    assert rival_api.get(f"/api/v1/orders/?channel={channel.pk}").json()["count"] == 0


def test_a_second_sync_of_the_same_data_creates_no_duplicates(api, channel, platform):
    queue_recorded_window(platform)
    sync(api, channel)
    ChannelAccount.objects.filter(pk=channel.pk).update(
        poll_cursor={"next_start": "2026-11-20T16:00:00+00:00"}
    )
    queue_recorded_window(platform)

    sync(api, channel)

    assert Order.objects.filter(channel=channel).count() == 3
    statuses = list(
        InboundEvent.objects.filter(channel=channel).order_by("received_at").values_list("status", flat=True)
    )
    assert statuses == ["processed"] * 3 + [
        "duplicate",
        "duplicate",
        "processed",
    ]  # the last: an empty window


def test_a_newer_cancellation_cancels_and_an_older_version_changes_nothing(api, channel, platform):
    queue_recorded_window(platform)
    sync(api, channel)
    queue(platform, search_page(orderState="TRADE_CANCELED", modified="2026-11-21 09:00:00"))

    sync(api, channel)

    assert listed(api, channel)[WAITING] == "new"
    assert Order.objects.get(external_id=WAITING).platform_status == "WAIT_SELLER_STOCK_OUT"

    queue(platform, search_page(orderState="TRADE_CANCELED", modified="2026-11-21 12:30:00"))

    sync(api, channel)

    assert listed(api, channel)[WAITING] == "cancelled"
    stored = Order.objects.get(external_id=WAITING)
    assert (stored.platform_status, stored.platform_updated_at) == (
        "TRADE_CANCELED",
        datetime(2026, 11, 21, 4, 30, tzinfo=UTC),
    )


def test_a_locked_order_waits_and_is_released_when_jd_unlocks_it(api, channel, platform):
    queue(platform, search_page(orderState="LOCKED", modified="2026-11-21 09:20:00"))
    sync(api, channel)
    assert listed(api, channel) == {WAITING: "on_hold"}
    queue(platform, search_page(orderState="WAIT_SELLER_STOCK_OUT", modified="2026-11-21 10:05:00"))

    sync(api, channel)

    assert listed(api, channel) == {WAITING: "new"}
    events = [(e["kind"], e["reason"]) for e in detail(api, channel, WAITING)["events"]]
    assert ("held", "LOCKED: locked on JD (a cancellation or after-sale request is pending)") in events


def test_a_later_poll_with_masked_or_blank_consignee_does_not_erase_the_address(api, channel, platform):
    clear = {"fullname": "张三", "mobile": "13812345678", "fullAddress": "北京朝阳区三环到四环之间建国路93号"}
    queue(platform, search_page(consigneeInfo=clear))
    sync(api, channel)
    before = detail(api, channel, WAITING)
    masked = {"fullname": "张**", "mobile": "", "fullAddress": ""}
    queue(platform, search_page(consigneeInfo=masked, modified="2026-11-21 12:30:00"))

    sync(api, channel)

    after = detail(api, channel, WAITING)
    assert after["shipping_address"] == before["shipping_address"]
    assert (after["shipping_address"]["name"], after["shipping_address"]["phone"]) == (
        "张三",
        "+8613812345678",
    )
    assert after["shipping_address"]["detail"] == before["shipping_address"]["detail"]
    assert after["shipping_address"]["detail"].endswith("建国路93号")
    assert after["customer"] == {"name": "张三", "email": "", "phone": "+8613812345678"}
    assert Order.objects.get(external_id=WAITING).platform_updated_at == datetime(
        2026, 11, 21, 4, 30, tzinfo=UTC
    )


def test_a_call_limit_backs_off_and_the_next_run_resumes_the_page(api, channel, platform):
    queue(platform, "jd_pop_order_search_page1of2.json", "jd_error_call_limited.json")
    started = timezone.now()

    sync(api, channel)

    channel.refresh_from_db()
    assert channel.last_error == "JOS error 2: App Call Limited 限制时间内调用失败次数 (retry in 60 s)"
    backoff_until = datetime.fromisoformat(channel.poll_cursor.pop("backoff_until"))
    assert started + timedelta(seconds=60) <= backoff_until <= timezone.now() + timedelta(seconds=60)
    assert channel.poll_cursor == {
        "window_start": "2026-11-20T16:00:00+00:00",
        "window_end": "2026-11-21T16:00:00+00:00",
        "page": 2,
    }
    assert channel.status == "active"
    assert listed(api, channel) == {WAITING: "new", CANCELED: "cancelled"}
    queue(platform, "jd_pop_order_search_page2of2.json", "jd_pop_order_search_empty.json")
    seen = len(platform.requests)

    sync(api, channel)

    resumed = business(platform.requests[seen])
    assert (resumed["page"], resumed["start_date"], resumed["end_date"]) == (
        "2",
        "2026-11-21 00:00:00",
        "2026-11-22 00:00:00",
    )
    assert listed(api, channel) == {WAITING: "new", CANCELED: "cancelled", LOCKED: "on_hold"}


def test_an_invalid_access_token_puts_the_channel_in_error(api, channel, platform):
    queue(platform, "jd_error_invalid_access_token.json")

    sync(api, channel)

    channel.refresh_from_db()
    assert channel.status == "error"
    assert channel.last_error == "JOS error 19: Invalid access_token token已过期或者不存在，请重新授权访问"
    assert channel.poll_cursor == {"next_start": "2026-11-20T16:00:00+00:00"}
    assert len(platform.requests) == 1
    assert not Order.objects.exists()
    assert not InboundEvent.objects.exists()


def test_a_failed_search_result_is_permanent(api, channel, platform):
    answer = load("jd_pop_order_search_empty.json")
    answer["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["apiResult"] = {
        "success": False,
        "englishErrCode": "time span too long",
        "chineseErrCode": "查询时间跨度过长",
        "numberCode": 10100021,
    }
    queue(platform, answer)

    sync(api, channel)

    channel.refresh_from_db()
    assert (channel.status, channel.last_error) == (
        "error",
        "JOS jingdong.pop.order.search: time span too long 查询时间跨度过长",
    )
    assert not InboundEvent.objects.exists()
