"""Youzan (有赞云): the samples mapped to the standard order, both push signatures, pushes replayed against
the webhook URL with the order read from the double (youzan.trade.get, token from /auth/token), and
youzan.trades.sold.get polled as reconciliation, back to front."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from channels import intake
from channels.adapters import registry
from channels.adapters.base import (
    Account,
    NotPlatformFormat,
    PermanentError,
    RawRequest,
    RetryableError,
    WebhookInfo,
)
from channels.adapters.youzan import adapter as youzan_adapter
from channels.adapters.youzan import client as youzan_client
from channels.adapters.youzan import mapping, status_map
from channels.models import ChannelAccount, InboundEvent, InboundStatus
from channels.services import channel_create
from oms.catalog.services import product_create
from oms.orders.models import Order
from oms.orders.types import NewOrder, NewOrderLine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "youzan"
PAID_META = json.loads((FIXTURES / "youzan_push_trade_paid.meta.json").read_text())
STATE_META = json.loads((FIXTURES / "youzan_push_trade_order_state.meta.json").read_text())
CLIENT_ID = PAID_META["client_id"]
SECRET = PAID_META["secret"]
GRANT_ID = "91234567"
TOKEN = "yz_test_access_token_9c8b7a6d5e4f3a2b"
TOKEN_PATH = "/auth/token"
TRADE_GET_PATH = "/api/youzan.trade.get/4.0.1"
SOLD_GET_PATH = "/api/youzan.trades.sold.get/4.0.4"
ORDER_A = "E20261122190341012345671"
ORDER_B = "E20261122190801012345672"
ORDER_C = "E20261122191240012345673"
REPLY = {"code": 0, "msg": "success"}
NOW = datetime(2026, 11, 22, 11, 20, tzinfo=UTC)  # 19:20 in Beijing
HEAD = int(NOW.timestamp()) - youzan_adapter.LAG_SECONDS  # 19:17:00 in Beijing
START = HEAD - 1800  # 18:47:00 in Beijing


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"Event-Sign": mapping.event_sign(client_id=CLIENT_ID, body=body, client_secret=secret)}


def full_info(name: str) -> dict:
    return mapping.response_data(mapping.load(fixture(name)))["full_order_info"]


@pytest.fixture(autouse=True)
def fixed_clock_and_fresh_tokens(monkeypatch):
    assert registry.get_adapter("youzan") is youzan_adapter.ADAPTER
    monkeypatch.setattr(youzan_adapter.ADAPTER, "clock", lambda: NOW)
    youzan_client.forget_tokens()
    yield
    youzan_client.forget_tokens()


# --- pure: signatures, push messages, mapping ----------------------------------------------------------


def test_the_event_sign_header_equals_the_recorded_value():
    body = fixture("youzan_push_trade_paid.json")

    signature = mapping.event_sign(client_id=CLIENT_ID, body=body, client_secret=SECRET)

    assert signature == PAID_META["signature"]["value"] == PAID_META["headers"]["Event-Sign"]


@pytest.mark.parametrize(
    ("payload", "meta"),
    [("youzan_push_trade_paid.json", PAID_META), ("youzan_push_trade_order_state.json", STATE_META)],
)
def test_the_body_sign_over_msg_equals_the_recorded_value(payload, meta):
    body = json.loads(fixture(payload))

    signature = mapping.message_sign(client_id=CLIENT_ID, msg=body["msg"], client_secret=SECRET)

    assert signature == meta["body_sign"]["value"] == body["sign"]


TEA = NewOrderLine(
    sku="TEA-LJ-250G",
    channel_sku="400810001",
    title="2026新茶 明前西湖龙井 250g 礼盒",
    variant="净含量:250g;包装:礼盒装",
    quantity=1,
    unit_price=Decimal("128.00"),
)
CUP = NewOrderLine(
    sku="CUP-QC",
    channel_sku="400810007",
    title="手工青瓷茶杯",
    variant="颜色:青瓷",
    quantity=2,
    unit_price=Decimal("39.00"),
)
ORDER_A_MAPPED = NewOrder(
    external_id=ORDER_A,
    external_number=ORDER_A,
    currency="CNY",
    placed_at=utc(2026, 11, 22, 11, 3, 41),
    platform_updated_at=utc(2026, 11, 22, 11, 5, 30),
    platform_status="WAIT_SELLER_SEND_GOODS",
    payment_pending=False,
    platform_hold="",
    cancelled=False,
    hold=False,
    delivery_method="express",
    order_type="normal",
    customer={"name": "", "email": "", "phone": ""},
    shipping_address={
        "name": "",
        "phone": "",
        "country": "CN",
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "detail": "",
        "postal_code": "",
    },
    subtotal=Decimal("206.00"),
    shipping_total=Decimal("10.00"),
    discount_total=Decimal("20.00"),
    tax_total=Decimal("0.00"),
    total=Decimal("196.00"),
    note="发顺丰可以吗",
    lines=(TEA, CUP),
)


def test_the_trade_get_sample_maps_to_the_standard_order():
    order = mapping.order_from_trade_response(mapping.load(fixture("youzan_trade_get_basic.json")))

    assert order == ORDER_A_MAPPED


def test_a_sold_get_page_maps_every_order_on_it():
    orders = mapping.orders_from_sold_response(
        mapping.load(fixture("youzan_trades_sold_get_page1_of_2.json"))
    )

    assert orders == [
        NewOrder(
            external_id=ORDER_B,
            external_number=ORDER_B,
            currency="CNY",
            placed_at=utc(2026, 11, 22, 11, 8, 1),
            platform_updated_at=utc(2026, 11, 22, 11, 10, 12),
            platform_status="WAIT_SELLER_SEND_GOODS",
            customer={"name": "赞宝", "email": "", "phone": "13700000000"},
            shipping_address={
                "name": "赞宝",
                "phone": "13700000000",
                "country": "CN",
                "province": "浙江省",
                "city": "杭州市",
                "district": "西湖区",
                "detail": "翠苑街道黄龙万科中心18楼",
                "postal_code": "",
            },
            subtotal=Decimal("117.00"),
            shipping_total=Decimal("0.00"),
            discount_total=Decimal("0.00"),
            tax_total=Decimal("0.00"),
            total=Decimal("117.00"),
            note="",
            lines=(
                NewOrderLine(
                    sku="CUP-QC",
                    channel_sku="532100002",
                    title="手工青瓷茶杯",
                    variant="",
                    quantity=3,
                    unit_price=Decimal("39.00"),
                ),
            ),
        ),
        NewOrder(
            external_id=ORDER_C,
            external_number=ORDER_C,
            currency="CNY",
            placed_at=utc(2026, 11, 22, 11, 12, 40),
            platform_updated_at=utc(2026, 11, 22, 11, 12, 40),
            platform_status="WAIT_BUYER_PAY",
            payment_pending=True,
            customer={"name": "", "email": "", "phone": ""},
            shipping_address={
                "name": "",
                "phone": "",
                "country": "CN",
                "province": "四川省",
                "city": "成都市",
                "district": "青羊区",
                "detail": "",
                "postal_code": "",
            },
            subtotal=Decimal("256.00"),
            shipping_total=Decimal("0.00"),
            discount_total=Decimal("0.00"),
            tax_total=Decimal("0.00"),
            total=Decimal("256.00"),
            note="",
            lines=(
                NewOrderLine(
                    sku="TEA-LJ-250G",
                    channel_sku="400810001",
                    title="2026新茶 明前西湖龙井 250g 礼盒",
                    variant="净含量:250g;包装:礼盒装",
                    quantity=2,
                    unit_price=Decimal("128.00"),
                ),
            ),
        ),
    ]


@pytest.mark.parametrize(
    ("includes", "expected"),
    [
        (True, (Decimal("206.00"), Decimal("10.00"), Decimal("20.00"), Decimal("196.00"))),
        (False, (Decimal("206.00"), Decimal("10.00"), Decimal("10.00"), Decimal("206.00"))),
    ],
    ids=["payment includes postage (default)", "payment excludes postage"],
)
def test_whether_payment_includes_the_postage_is_the_channels_choice(includes, expected):
    order = mapping.order_from_youzan(
        full_info("youzan_trade_get_basic.json"), payment_includes_post_fee=includes
    )

    assert (order.subtotal, order.shipping_total, order.discount_total, order.total) == expected


@pytest.mark.parametrize(
    ("config", "includes"),
    [({}, True), ({"payment_includes_post_fee": ""}, True), ({"payment_includes_post_fee": True}, True)]
    + [({"payment_includes_post_fee": value}, False) for value in (False, "false", "0", "no")],
)
def test_only_an_explicit_no_says_payment_excludes_the_postage(config, includes):
    account = Account(id="1", kind="youzan", config=config, webhook_secret="", cursor={})

    assert youzan_adapter.options(account) == {"payment_includes_post_fee": includes}


@pytest.mark.parametrize(
    ("pay_info", "expected"),
    [
        (
            {"total_fee": "281.70", "post_fee": "0.00", "payment": "139.14"},
            ("281.70", "0.00", "142.56", "139.14"),
        ),
        ({"total_fee": 59.8, "post_fee": 6, "payment": 65.8}, ("59.80", "6.00", "0.00", "65.80")),
        ({"total_fee": "10.00", "post_fee": "0.00", "payment": "12.00"}, ("10.00", "0.00", "0.00", "12.00")),
        ({"total_fee": "0.01", "post_fee": "", "payment": "0.01"}, ("0.01", "0.00", "0.00", "0.01")),
    ],
    ids=["captured discount", "numbers", "payment above the sum", "blank postage"],
)
def test_yuan_amounts_become_exact_decimals_and_the_discount_is_derived(pay_info, expected):
    info = {**full_info("youzan_trade_get_basic.json"), "pay_info": pay_info}

    order = mapping.order_from_youzan(info)

    assert (
        tuple(str(v) for v in (order.subtotal, order.shipping_total, order.discount_total, order.total))
        == expected
    )


@pytest.mark.parametrize(
    ("beijing", "expected"),
    [
        ("2026-11-22 19:03:41", utc(2026, 11, 22, 11, 3, 41)),
        ("2026-11-22 07:59:59", utc(2026, 11, 21, 23, 59, 59)),
        ("2027-01-01 00:00:00", utc(2026, 12, 31, 16, 0, 0)),
        ("", None),
        (None, None),
    ],
)
def test_times_without_offset_are_beijing_time_stored_as_utc(beijing, expected):
    assert mapping.beijing_time(beijing) == expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(START, "2026-11-22 18:47:00"), (HEAD, "2026-11-22 19:17:00"), (1798732800, "2027-01-01 00:00:00")],
)
def test_search_times_are_written_in_beijing_time(seconds, text):
    assert mapping.beijing_text(seconds) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$uhqbqg15Dn5slYolRHAzZw==$1$", ""),
        ("$uJsz0E3z9Ra7n01JhJiL9w5MJswLdQU+U3EkYqWrbHBlX7FlabHA3BZT/5dMp0JI$1$", ""),
        ("$eTS8t8hAECdXKgNtV6DIfw==$12$", ""),
        ("赞宝", "赞宝"),
        ("13700000000", "13700000000"),
        ("137****0000", "137****0000"),
        ("$5 off$", "$5 off$"),
        ("", ""),
        (None, ""),
    ],
)
def test_ciphertexts_become_blank_and_other_values_pass(value, expected):
    assert mapping.readable(value) == expected


@pytest.mark.parametrize(
    ("properties", "variant"),
    [
        ('[{"k":"蓝色","k_id":3,"v":"1号","v_id":7443}]', "蓝色:1号"),
        (
            '[{"k":"颜色","k_id":1,"v":"白","v_id":2},{"k":"尺码","k_id":4,"v":"M","v_id":5}]',
            "颜色:白;尺码:M",
        ),
        ('[{"v":"默认"}]', "默认"),
        ("颜色:桔色;尺码:M", "颜色:桔色;尺码:M"),
        ("[broken", "[broken"),
        ("", ""),
        (None, ""),
    ],
)
def test_sku_properties_become_the_variant(properties, variant):
    assert mapping.variant_of(properties) == variant


@pytest.mark.parametrize(
    ("status", "refund_state", "expected"),
    [
        ("WAIT_BUYER_PAY", 0, ("WAIT_BUYER_PAY", True, "", False, False)),
        (
            "TRADE_PAID",
            0,
            (
                "TRADE_PAID",
                False,
                "TRADE_PAID: paid; Youzan moves a paid order on to WAIT_CONFIRM or WAIT_SELLER_SEND_GOODS",
                False,
                False,
            ),
        ),
        (
            "WAIT_CONFIRM",
            0,
            (
                "WAIT_CONFIRM",
                False,
                "WAIT_CONFIRM: paid, waiting for the group to form or the shop to accept (待成团/待接单)",
                False,
                False,
            ),
        ),
        ("WAIT_SELLER_SEND_GOODS", 0, ("WAIT_SELLER_SEND_GOODS", False, "", False, False)),
        ("WAIT_SELLER_SEND_GOODS", 2, ("WAIT_SELLER_SEND_GOODS,refund_state=2", False, "", False, False)),
        (
            "WAIT_SELLER_SEND_GOODS",
            1,
            (
                "WAIT_SELLER_SEND_GOODS,refund_state=1",
                False,
                "refund_state=1: partial refund under way",
                False,
                False,
            ),
        ),
        (
            "WAIT_SELLER_SEND_GOODS",
            11,
            (
                "WAIT_SELLER_SEND_GOODS,refund_state=11",
                False,
                "refund_state=11: full refund under way",
                False,
                False,
            ),
        ),
        ("WAIT_BUYER_CONFIRM_GOODS", 0, ("WAIT_BUYER_CONFIRM_GOODS", False, "", False, True)),
        ("WAIT_BUYER_CONFIRM_GOODS", 1, ("WAIT_BUYER_CONFIRM_GOODS,refund_state=1", False, "", False, True)),
        ("TRADE_SUCCESS", 0, ("TRADE_SUCCESS", False, "", False, True)),
        ("TRADE_CLOSED", 12, ("TRADE_CLOSED,refund_state=12", False, "", True, False)),
        ("TRADE_CLOSED", 0, ("TRADE_CLOSED", False, "", True, False)),
        ("SOMETHING_NEW", 0, ("SOMETHING_NEW", False, "", False, True)),
    ],
)
def test_status_and_refund_state_become_waiting_held_or_cancelled(status, refund_state, expected):
    info = full_info("youzan_trade_get_basic.json")
    info = {**info, "order_info": {**info["order_info"], "status": status, "refund_state": refund_state}}

    order = mapping.order_from_youzan(info)

    assert (
        order.platform_status,
        order.payment_pending,
        order.platform_hold,
        order.cancelled,
        order.hold,
    ) == expected
    assert status_map.status_of(status, refund_state).platform_status == expected[0]


@pytest.mark.parametrize(
    ("express_type", "expected"),
    [
        (0, ("express", False, ())),
        (1, ("pickup", False, ())),
        (2, ("same_city", False, ())),
        (9, ("express", True, ("no_shipping",))),
    ],
    ids=["express", "pickup in store", "same-city", "nothing to ship"],
)
def test_express_type_becomes_the_delivery_method(express_type, expected):
    info = full_info("youzan_trade_get_basic.json")
    info = {**info, "order_info": {**info["order_info"], "express_type": express_type}}

    order = mapping.order_from_youzan(info)

    assert (order.delivery_method, order.hold, order.tags) == expected


def test_a_line_without_its_own_codes_maps_by_item_id_and_presale_is_read():
    info = full_info("youzan_trade_get_basic.json")
    item = {**info["orders"][0], "outer_sku_id": "", "outer_item_id": "", "sku_id": 0, "is_pre_sale": "1"}

    order = mapping.order_from_youzan({**info, "orders": [item]})

    assert (order.lines[0].sku, order.lines[0].channel_sku, order.order_type) == ("", "532100001", "presale")


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            "youzan_push_trade_paid.json",
            WebhookInfo(
                event_id="6e2f4c1a-0b9d-4e57-a3c8-1f2e3d4c5b61", topic="trade_TradePaid", reply=REPLY
            ),
        ),
        (
            "youzan_push_trade_close.json",
            WebhookInfo(
                event_id="9b1c7d2e-5f4a-4c3b-8e6d-2a1b0c9d8e72", topic="trade_TradeClose", reply=REPLY
            ),
        ),
        (
            "youzan_push_trade_order_state.json",
            WebhookInfo(event_id=STATE_META["event_id"], topic="TRADE_ORDER_STATE", reply=REPLY),
        ),
    ],
)
def test_inspect_reads_the_message_id_and_answers_as_youzan_expects(payload, expected):
    info = youzan_adapter.ADAPTER.inspect(RawRequest(headers={}, body=fixture(payload)))

    assert info == expected


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"msg":"%7B%7D"}', b'{"type":"","msg":"%7B%7D"}', b'{"type":"trade_TradePaid"}'],
    ids=["not json", "an array", "no type", "empty type", "neither msg nor id"],
)
def test_a_body_that_is_not_a_push_is_not_youzan_format(body):
    with pytest.raises(NotPlatformFormat):
        youzan_adapter.ADAPTER.inspect(RawRequest(headers={}, body=body))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"type": "trade_TradeClose", "id": "E1", "msg": "%7B%22tid%22%3A%22E2%22%7D"}, ["E2"]),
        (
            {
                "type": "trade_TradePaid",
                "id": "E1",
                "msg": "%7B%22full_order_info%22%3A%7B%22order_info%22%3A%7B%22tid%22%3A%22E3%22%7D%7D%7D",
            },
            ["E3"],
        ),
        ({"type": "TRADE_ORDER_STATE", "id": "E1", "msg": "not json"}, ["E1"]),
        ({"type": "trade_refund_RefundSuccess", "id": "E1", "msg": "%7B%22tid%22%3A%22E1%22%7D"}, ["E1"]),
        ({"type": "TRADE", "id": "E1"}, ["E1"]),
        ({"type": "ITEM_STATE", "id": "530000001", "msg": "%7B%7D"}, []),
        ({"type": "SCRM_CARD", "id": "E1", "msg": "%7B%7D"}, []),
        ({"type": "trade_TradeCreate", "id": "E1", "msg": "%7B%7D", "test": True}, []),
        ({"type": "TRADE_ORDER_STATE", "id": "E1", "msg": "%7B%7D", "test": "true"}, []),
    ],
    ids=[
        "msg tid",
        "whole order in msg",
        "undecodable msg: id",
        "refund message",
        "trade V1",
        "item message",
        "member card message",
        "test message",
        "test message (text)",
    ],
)
def test_trade_messages_name_the_order_to_read(message, expected):
    assert mapping.fetch_ids(message) == expected


def test_a_trade_message_naming_no_order_is_not_youzan_format():
    with pytest.raises(NotPlatformFormat):
        mapping.fetch_ids({"type": "trade_TradeCreate", "id": "", "msg": "%7B%7D"})


@pytest.mark.parametrize(
    ("answer", "codes", "kind", "message"),
    [
        (
            json.loads(fixture("youzan_error_search_range.json")),
            (),
            PermanentError,
            "Youzan youzan.trades.sold.get error 106000001: 每次可搜索一年订单记录,请重新选择起止时间 "
            "(trace_id yz7-0a34f88b-1773817700497-120320)",
        ),
        (
            json.loads(fixture("youzan_error_token_invalid.json")),
            (),
            PermanentError,
            "Youzan youzan.trades.sold.get error 4203: token不存在 (authorise the shop again)",
        ),
        (
            {"code": 4290001, "success": False, "message": "busy"},
            (4290001,),
            RetryableError,
            "Youzan youzan.trades.sold.get error 4290001: busy",
        ),
        (
            {"code": 500001, "success": False, "message": "调用过于频繁"},
            (),
            RetryableError,
            "Youzan youzan.trades.sold.get error 500001: 调用过于频繁",
        ),
    ],
    ids=["range over a year", "token invalid", "configured rate-limit code", "rate-limit words"],
)
def test_error_answers_are_retryable_only_when_rate_limited(answer, codes, kind, message):
    exc = youzan_client.error_from("youzan.trades.sold.get", answer, frozenset(codes))

    assert (type(exc), str(exc)) == (kind, message)


@pytest.mark.parametrize(
    ("config", "error"),
    [
        (
            {"client_id": CLIENT_ID, "client_secret": SECRET},
            "needs an access_token, or client_id, client_secret",
        ),
        (
            {"access_token": TOKEN, "rate_limit_codes": ["busy"]},
            "rate_limit_codes in the Youzan channel config",
        ),
    ],
    ids=["no grant_id nor token", "rate_limit_codes not numbers"],
)
def test_a_channel_config_youzan_cannot_be_called_with_is_refused(config, error):
    with pytest.raises(PermanentError, match=error):
        youzan_client.YouzanClient(config, lambda: NOW)


# --- pushes through the real webhook URL ---------------------------------------------------------------


def youzan_config(platform, **extra) -> dict:
    return {
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "grant_id": GRANT_ID,
        "api_base_url": platform.url,
        **extra,
    }


@pytest.fixture
def channel(merchant, platform) -> ChannelAccount:
    return channel_create(merchant=merchant, kind="youzan", name="山茶花茶叶", config=youzan_config(platform))


@pytest.fixture
def send(client, channel, django_capture_on_commit_callbacks):
    def post(body: bytes, headers: dict[str, str]):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                channel.webhook_path, data=body, content_type="application/json", headers=headers
            )

    return post


def queue_token(platform) -> None:
    platform.add_fixture("POST", TOKEN_PATH, "channels/youzan/youzan_auth_token.json")


def calls(platform) -> list[tuple[str, dict, dict]]:
    return [(r.path, {k: v[0] for k, v in r.query.items()}, r.json()) for r in platform.requests]


def test_a_signed_push_is_answered_and_its_order_read_and_filed(send, channel, platform, api, merchant):
    for sku in ("TEA-LJ-250G", "CUP-QC"):
        product_create(merchant=merchant, sku=sku, title=sku)
    queue_token(platform)
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_basic.json")
    body = fixture("youzan_push_trade_paid.json")

    response = send(body, {"Event-Sign": PAID_META["headers"]["Event-Sign"], "Event-Type": "trade_TradePaid"})

    assert (response.status_code, response.json()) == (202, REPLY)
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.external_event_id, event.topic, bytes(event.body)) == (
        InboundStatus.PROCESSED,
        "6e2f4c1a-0b9d-4e57-a3c8-1f2e3d4c5b61",
        "trade_TradePaid",
        body,
    )
    assert calls(platform) == [
        (
            TOKEN_PATH,
            {},
            {
                "client_id": CLIENT_ID,
                "client_secret": SECRET,
                "authorize_type": "silent",
                "grant_id": GRANT_ID,
                "refresh": False,
            },
        ),
        (TRADE_GET_PATH, {"access_token": TOKEN}, {"tid": ORDER_A}),
    ]
    assert platform.requests[1].headers["Content-Type"] == "application/json;charset=UTF-8"
    listing = api.get("/api/v1/orders/").json()
    assert listing["count"] == 1
    order = api.get(f"/api/v1/orders/{listing['results'][0]['id']}/").json()
    assert {k: order[k] for k in ("external_id", "currency", "placed_at", "note", "status", "tags")} == {
        "external_id": ORDER_A,
        "currency": "CNY",
        "placed_at": "2026-11-22T11:03:41Z",
        "note": "发顺丰可以吗",
        "status": "backordered",
        "tags": [],
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
        "detail": "",
        "region_code": "310115",
    }
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
        ("TEA-LJ-250G", 1, "128.00"),
        ("CUP-QC", 2, "39.00"),
    ]
    assert order["issues"] == [{"code": "insufficient_stock", "message": "3 unit(s) could not be allocated"}]
    assert [event["kind"] for event in order["events"]] == ["created", "backordered"]
    assert Order.objects.get(channel=channel).platform_status == "WAIT_SELLER_SEND_GOODS"


def test_an_older_push_signed_in_its_body_is_accepted(send, channel, platform):
    queue_token(platform)
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_basic.json")
    body = fixture("youzan_push_trade_order_state.json")

    response = send(body, {})

    assert (response.status_code, response.json()) == (202, REPLY)
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.external_event_id, event.topic) == (
        InboundStatus.PROCESSED,
        STATE_META["event_id"],
        "TRADE_ORDER_STATE",
    )
    assert [path for path, _, _ in calls(platform)] == [TOKEN_PATH, TRADE_GET_PATH]
    order = Order.objects.get(channel=channel)
    assert (order.external_id, order.total, order.platform_updated_at) == (
        ORDER_A,
        Decimal("196.00"),
        utc(2026, 11, 22, 11, 5, 30),
    )


def body_with(payload: str, **fields) -> bytes:
    return json.dumps({**json.loads(fixture(payload)), **fields}, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("wrong header", "Event-Sign does not match the body"),
        ("header signed with another secret", "Event-Sign does not match the body"),
        ("header for other bytes", "Event-Sign does not match the body"),
        ("no header, no body sign", "neither an Event-Sign header nor a sign over msg in the body"),
        ("no header, wrong body sign", "the body's sign does not match its msg"),
        ("no header, body sign over another msg", "the body's sign does not match its msg"),
        ("no header, not json", "no Event-Sign header, and the body is not JSON carrying a sign"),
    ],
)
def test_a_badly_signed_push_is_401_stored_rejected_and_files_nothing(send, channel, platform, case, error):
    body = fixture("youzan_push_trade_paid.json")
    headers: dict[str, str] = {}
    if case == "wrong header":
        headers = {"Event-Sign": "0" * 32}
    elif case == "header signed with another secret":
        headers = signed(body, secret="not_the_secret")
    elif case == "header for other bytes":
        headers = signed(body + b" ")
    elif case == "no header, no body sign":
        body = body_with("youzan_push_trade_paid.json", sign="")
    elif case == "no header, wrong body sign":
        body = body_with("youzan_push_trade_order_state.json", sign="f" * 32)
    elif case == "no header, body sign over another msg":
        body = body_with("youzan_push_trade_order_state.json", msg="%7B%22tid%22:%22E9%22%7D")
    elif case == "no header, not json":
        body = b"sign=abc"

    response = send(body, headers)

    assert response.status_code == 401
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.error, bytes(event.body)) == (InboundStatus.REJECTED, error, body)
    assert platform.requests == []
    assert not Order.objects.filter(channel=channel).exists()


@pytest.mark.parametrize(
    ("mode", "payload", "status", "error"),
    [
        ("event-sign", "youzan_push_trade_order_state.json", 401, "the Event-Sign header is missing"),
        ("body", "youzan_push_trade_paid.json", 202, ""),
        (
            "sometimes",
            "youzan_push_trade_paid.json",
            401,
            "push_signature must be one of auto, event-sign, body",
        ),
    ],
    ids=["header only refuses the body sign", "body only ignores the header", "unknown mode"],
)
def test_the_channel_chooses_which_push_signature_it_accepts(
    send, channel, platform, mode, payload, status, error
):
    channel.config = youzan_config(platform, push_signature=mode)
    channel.save()
    queue_token(platform)
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_basic.json")
    body = fixture(payload)

    response = send(body, {"Event-Sign": "0" * 32} if mode == "body" else {})

    assert response.status_code == status
    event = InboundEvent.objects.get(channel=channel)
    assert error in event.error
    assert event.status == (InboundStatus.REJECTED if status == 401 else InboundStatus.PROCESSED)


def test_the_same_msg_id_again_is_a_duplicate_and_files_no_second_order(send, channel, platform):
    queue_token(platform)
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_basic.json")
    body = fixture("youzan_push_trade_paid.json")
    send(body, signed(body))
    resent = body_with("youzan_push_trade_paid.json", sendCount=1)

    again = send(resent, signed(resent))

    assert (again.status_code, again.json()) == (200, REPLY)
    assert list(
        InboundEvent.objects.filter(channel=channel).order_by("received_at").values_list("status", flat=True)
    ) == [InboundStatus.PROCESSED, InboundStatus.DUPLICATE]
    assert [path for path, _, _ in calls(platform)] == [TOKEN_PATH, TRADE_GET_PATH]
    assert Order.objects.filter(channel=channel).count() == 1


def test_a_later_close_push_with_a_newer_update_time_cancels_the_order(send, channel, platform):
    paid, close = fixture("youzan_push_trade_paid.json"), fixture("youzan_push_trade_close.json")
    queue_token(platform)
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_basic.json")
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_closed.json")
    send(paid, signed(paid))

    response = send(close, signed(close))

    assert (response.status_code, response.json()) == (202, REPLY)
    order = Order.objects.get(channel=channel, external_id=ORDER_A)
    assert (order.status, order.platform_status, order.platform_updated_at) == (
        "cancelled",
        "TRADE_CLOSED,refund_state=12",
        utc(2026, 11, 22, 12, 3, 20),
    )
    assert order.events.get(kind="cancelled").reason == "cancelled on the platform"
    assert InboundEvent.objects.get(external_event_id="9b1c7d2e-5f4a-4c3b-8e6d-2a1b0c9d8e72").topic == (
        "trade_TradeClose"
    )
    assert [path for path, _, _ in calls(platform)] == [TOKEN_PATH, TRADE_GET_PATH, TRADE_GET_PATH]


def test_a_push_that_reads_an_older_version_changes_nothing(send, channel, platform):
    paid, state = fixture("youzan_push_trade_paid.json"), fixture("youzan_push_trade_order_state.json")
    queue_token(platform)
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_basic.json")
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_older.json")
    send(paid, signed(paid))
    order = Order.objects.get(channel=channel, external_id=ORDER_A)
    kinds = list(order.events.values_list("kind", flat=True))

    response = send(state, {})

    assert response.status_code == 202
    order.refresh_from_db()
    assert (order.shipping_address["district"], order.platform_updated_at) == (
        "浦东新区",
        utc(2026, 11, 22, 11, 5, 30),
    )
    assert list(order.events.values_list("kind", flat=True)) == kinds
    assert (
        InboundEvent.objects.get(external_event_id=STATE_META["event_id"]).status == InboundStatus.DUPLICATE
    )


@pytest.mark.parametrize(
    "body",
    [b"msg=%7B%7D&sign=abc", b'["trade_TradePaid"]', b'{"type":"trade_TradePaid","sign":"abc"}'],
    ids=["form body", "an array", "no msg nor id"],
)
def test_a_signed_body_that_is_not_a_push_is_400_and_stored_failed(send, channel, platform, body):
    response = send(body, signed(body))

    assert response.status_code == 400
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, bytes(event.body)) == (InboundStatus.FAILED, body)
    assert platform.requests == []
    assert not Order.objects.filter(channel=channel).exists()


@pytest.mark.parametrize(
    ("fields", "topic"),
    [
        ({"type": "ITEM_STATE", "id": "532100001", "msg_id": "0d6f0c8e-item"}, "ITEM_STATE"),
        ({"test": True, "msg_id": "0d6f0c8e-test"}, "trade_TradePaid"),
    ],
    ids=["item message", "test message"],
)
def test_a_message_that_names_no_order_is_processed_without_reading_one(
    send, channel, platform, fields, topic
):
    body = body_with("youzan_push_trade_paid.json", **fields)

    response = send(body, signed(body))

    assert (response.status_code, response.json()) == (202, REPLY)
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.topic, event.order_ids) == (InboundStatus.PROCESSED, topic, [])
    assert platform.requests == []


def test_an_invalid_token_is_fetched_again_once_and_the_call_retried(send, channel, platform):
    queue_token(platform)
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_error_token_invalid.json")
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_trade_get_basic.json")
    body = fixture("youzan_push_trade_paid.json")

    send(body, signed(body))

    assert [path for path, _, _ in calls(platform)] == [
        TOKEN_PATH,
        TRADE_GET_PATH,
        TOKEN_PATH,
        TRADE_GET_PATH,
    ]
    assert InboundEvent.objects.get(channel=channel).status == InboundStatus.PROCESSED
    assert Order.objects.filter(channel=channel, external_id=ORDER_A).exists()


def test_a_channel_token_that_youzan_refuses_leaves_the_push_failed_and_replayable(send, channel, platform):
    channel.config = {
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "access_token": "yz_channel_token",
        "api_base_url": platform.url,
    }
    channel.save()
    platform.add_fixture("POST", TRADE_GET_PATH, "channels/youzan/youzan_error_token_invalid.json")
    body = fixture("youzan_push_trade_paid.json")

    response = send(body, signed(body))

    assert response.status_code == 202
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.error) == (
        InboundStatus.FAILED,
        "PermanentError: Youzan youzan.trade.get error 4203: token不存在 (authorise the shop again)",
    )
    assert calls(platform) == [(TRADE_GET_PATH, {"access_token": "yz_channel_token"}, {"tid": ORDER_A})]
    assert not Order.objects.filter(channel=channel).exists()


# --- youzan.trades.sold.get polled as reconciliation ---------------------------------------------------


@pytest.fixture
def polled(channel, platform) -> ChannelAccount:
    channel.config = youzan_config(platform, page_size=2)
    channel.save()
    ChannelAccount.objects.filter(pk=channel.pk).update(poll_cursor={"start_update": START})
    queue_token(platform)
    return channel


def sold_requests(platform) -> list[dict]:
    return [r.json() for r in platform.requests if r.path == SOLD_GET_PATH]


def test_a_window_is_read_from_its_last_page_back_to_the_first(polled, platform):
    for page in ("page1_of_2", "page2_of_2", "page1_of_2"):
        platform.add_fixture("POST", SOLD_GET_PATH, f"channels/youzan/youzan_trades_sold_get_{page}.json")

    pages = intake.channel_poll(channel_id=polled.pk)

    assert pages == 3
    window = {"start_update": "2026-11-22 18:47:00", "end_update": "2026-11-22 19:17:00"}
    assert sold_requests(platform) == [
        {**window, "page_no": 1, "page_size": 2},
        {**window, "page_no": 2, "page_size": 2},
        {**window, "page_no": 1, "page_size": 2},
    ]
    assert [path for path, _, _ in calls(platform)] == [
        TOKEN_PATH,
        SOLD_GET_PATH,
        SOLD_GET_PATH,
        SOLD_GET_PATH,
    ]
    assert all(r.query == {"access_token": [TOKEN]} for r in platform.requests if r.path == SOLD_GET_PATH)
    polled.refresh_from_db()
    assert polled.poll_cursor == {"start_update": HEAD - 300}
    assert (polled.last_error, polled.last_sync_at is not None) == ("", True)
    assert sorted(Order.objects.filter(channel=polled).values_list("external_id", "status", "tags")) == [
        (ORDER_A, "new", []),
        (ORDER_B, "new", []),
        (ORDER_C, "on_hold", ["awaiting_payment"]),
    ]
    events = InboundEvent.objects.filter(channel=polled).order_by("received_at")
    assert [(e.status, e.headers["x-oms-cursor"]) for e in events] == [
        (InboundStatus.PROCESSED, json.dumps({"start_update": START})),
        (
            InboundStatus.PROCESSED,
            json.dumps({"start_update": START, "end_update": HEAD, "page": 2, "last_page": 2}),
        ),
        (
            InboundStatus.DUPLICATE,
            json.dumps({"start_update": START, "end_update": HEAD, "page": 1, "last_page": 2}),
        ),
    ]


def test_a_window_with_more_results_than_can_be_paged_is_halved(polled, platform):
    platform.add(
        "POST",
        SOLD_GET_PATH,
        {
            "trace_id": "t",
            "code": 200,
            "data": {"full_order_info_list": [], "total_results": 201},
            "success": True,
        },
    )
    platform.add_fixture("POST", SOLD_GET_PATH, "channels/youzan/youzan_trades_sold_get_empty.json")

    pages = intake.channel_poll(channel_id=polled.pk)

    middle = START + (HEAD - START) // 2
    assert pages == 3
    assert [(r["start_update"], r["end_update"], r["page_no"]) for r in sold_requests(platform)] == [
        (mapping.beijing_text(START), mapping.beijing_text(HEAD), 1),
        (mapping.beijing_text(START), mapping.beijing_text(middle), 1),
        (mapping.beijing_text(middle - 300), mapping.beijing_text(HEAD), 1),
    ]
    polled.refresh_from_db()
    assert polled.poll_cursor == {"start_update": HEAD - 300}


@pytest.mark.parametrize(
    ("reply", "config", "error"),
    [
        ((b"{}", 429), {}, "Youzan gateway error 429 on youzan.trades.sold.get (retry in 60 s)"),
        ((b"bad gateway", 502), {}, "Youzan gateway error 502 on youzan.trades.sold.get (retry in 60 s)"),
        (
            (
                json.dumps({"trace_id": "t1", "code": 4290001, "success": False, "message": "busy"}).encode(),
                200,
            ),
            {"rate_limit_codes": [4290001]},
            "Youzan youzan.trades.sold.get error 4290001: busy (trace_id t1) (retry in 60 s)",
        ),
    ],
    ids=["HTTP 429", "HTTP 502", "configured rate-limit code"],
)
def test_a_rate_limited_poll_backs_off_and_keeps_the_cursor(polled, platform, reply, config, error):
    polled.refresh_from_db()
    polled.config = {**polled.config, **config}
    polled.save()
    body, status = reply
    platform.add("POST", SOLD_GET_PATH, body, status=status)
    before = datetime.now(UTC)

    pages = intake.channel_poll(channel_id=polled.pk)

    polled.refresh_from_db()
    assert (pages, polled.last_error, polled.status) == (0, error, "active")
    backoff = datetime.fromisoformat(polled.poll_cursor.pop("backoff_until"))
    assert before + timedelta(seconds=59) < backoff < datetime.now(UTC) + timedelta(seconds=61)
    assert polled.poll_cursor == {"start_update": START}
    assert not InboundEvent.objects.filter(channel=polled).exists()
    assert not Order.objects.filter(channel=polled).exists()


def test_a_search_range_youzan_refuses_stops_polling_with_its_message(polled, platform):
    platform.add_fixture("POST", SOLD_GET_PATH, "channels/youzan/youzan_error_search_range.json")

    intake.channel_poll(channel_id=polled.pk)

    polled.refresh_from_db()
    assert (polled.status, polled.last_error) == (
        "error",
        "Youzan youzan.trades.sold.get error 106000001: 每次可搜索一年订单记录,请重新选择起止时间 "
        "(trace_id yz7-0a34f88b-1773817700497-120320)",
    )
    assert polled.poll_cursor == {"start_update": START}


def test_the_token_is_fetched_once_and_kept_until_it_expires(polled, platform):
    platform.add_fixture("POST", SOLD_GET_PATH, "channels/youzan/youzan_trades_sold_get_empty.json")
    intake.channel_poll(channel_id=polled.pk)
    ChannelAccount.objects.filter(pk=polled.pk).update(poll_cursor={"start_update": START}, last_sync_at=None)

    intake.channel_poll(channel_id=polled.pk)

    assert [path for path, _, _ in calls(platform)] == [TOKEN_PATH, SOLD_GET_PATH, SOLD_GET_PATH]


def test_a_stored_poll_page_parses_to_its_orders(channel):
    body = fixture("youzan_trades_sold_get_page1_of_2.json")

    parsed = youzan_adapter.ADAPTER.parse(RawRequest(headers={}, body=body), intake.account_view(channel))

    assert ([o.external_id for o in parsed.orders], parsed.fetch_ids) == ([ORDER_B, ORDER_C], [])
