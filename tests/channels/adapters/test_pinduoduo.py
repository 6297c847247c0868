"""Pinduoduo: the samples mapped to the standard order, the gateway signature, and polling on the double."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from channels import intake
from channels.adapters.base import PermanentError, RetryableError
from channels.adapters.pinduoduo import adapter as pdd_adapter
from channels.adapters.pinduoduo import client as pdd_client
from channels.adapters.pinduoduo import mapping
from channels.models import ChannelAccount, InboundEvent, InboundStatus
from channels.services import channel_create
from oms.catalog.services import product_create
from oms.orders.models import Order
from oms.orders.types import NewOrder, NewOrderLine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "pinduoduo"
SECRET = "pdd_test_secret_abcdef"
ROUTER = "/api/router"
ORDER_A = "261121-583716249017254"
ORDER_B = "261121-773300112233445"
ORDER_C = "261121-900000000000003"
NOW = datetime(2026, 11, 21, 12, 40, tzinfo=UTC)  # 20:40 in Beijing
HEAD = int(NOW.timestamp()) - pdd_adapter.LAG_SECONDS
START = HEAD - 600
INCREMENT = "pdd.order.number.list.increment.get"
INFORMATION = "pdd.order.information.get"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def info_of(name: str) -> dict:
    return mapping.order_info(mapping.load(fixture(name)))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- pure: signature and mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "meta",
    ["pdd_order_information_get_awaiting_ship.meta.json", "pdd_order_number_list_increment_get.meta.json"],
)
def test_the_request_signature_equals_the_documented_value(meta):
    recorded = json.loads(fixture(meta))

    signature = mapping.sign(recorded["request"]["params"], recorded["secret"])

    assert signature == recorded["signature"]["value"] == recorded["request"]["params"]["sign"]


def test_the_awaiting_shipment_sample_maps_to_the_standard_order():
    order = mapping.order_from_pdd(info_of("pdd_order_information_get_awaiting_ship.json"))

    assert order == NewOrder(
        external_id=ORDER_A,
        external_number=ORDER_A,
        currency="CNY",
        placed_at=utc(2026, 11, 21, 12, 14, 36),
        platform_updated_at=utc(2026, 11, 21, 12, 15, 3),
        platform_status="order_status=1,refund_status=1",
        payment_pending=False,
        cancelled=False,
        hold=False,
        customer={"name": "陈*", "email": "", "phone": "*******3396"},
        shipping_address={
            "name": "陈*",
            "phone": "*******3396",
            "country": "CN",
            "province": "广东省",
            "city": "广州市",
            "district": "天河区",
            "detail": "天河路***号****",
            "postal_code": "",
        },
        subtotal=Decimal("59.80"),
        shipping_total=Decimal("0.00"),
        discount_total=Decimal("8.00"),
        tax_total=Decimal("0.00"),
        total=Decimal("51.80"),
        note="不要放快递柜",
        lines=(
            NewOrderLine(
                sku="SOCK-BLK-M",
                channel_sku="1234567890123",
                title="纯棉中筒袜 男女同款 5双装",
                variant="黑色,M码",
                quantity=2,
                unit_price=Decimal("29.90"),
            ),
        ),
    )


def test_the_order_under_risk_review_waits_with_blank_receiver_data():
    order = mapping.order_from_pdd(info_of("pdd_order_information_get_risk_control.json"))

    assert (
        order.external_id,
        bool(order.platform_hold),
        order.cancelled,
        order.hold,
        order.platform_status,
    ) == (
        ORDER_B,
        True,
        False,
        False,
        "order_status=1,refund_status=1,risk_control_status=1",
    )
    assert order.customer == {"name": "", "email": "", "phone": ""}
    assert order.shipping_address == {
        "name": "",
        "phone": "",
        "country": "CN",
        "province": "广东省",
        "city": "广州市",
        "district": "天河区",
        "detail": "",
        "postal_code": "",
    }


def test_an_item_without_outer_id_maps_by_the_platform_sku_id():
    order = mapping.order_from_pdd(info_of("pdd_order_information_get_two_items.json"))

    assert order.lines == (
        NewOrderLine(
            sku="SOCK-BLK-M",
            channel_sku="1234567890123",
            title="纯棉中筒袜 男女同款 5双装",
            variant="黑色,M码",
            quantity=1,
            unit_price=Decimal("29.90"),
        ),
        NewOrderLine(
            sku="",
            channel_sku="1234567890777",
            title="纯棉毛巾 2条装",
            variant="白色",
            quantity=2,
            unit_price=Decimal("29.90"),
        ),
    )
    assert (order.subtotal, order.shipping_total, order.discount_total, order.total) == (
        Decimal("89.70"),
        Decimal("6.00"),
        Decimal("0.00"),
        Decimal("95.70"),
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Decimal("59.8"), Decimal("59.80")),
        ("59.80", Decimal("59.80")),
        (59.8, Decimal("59.80")),
        (0, Decimal("0.00")),
        ("", Decimal("0.00")),
        (None, Decimal("0.00")),
        ("0.1", Decimal("0.10")),
    ],
)
def test_yuan_amounts_as_json_numbers_or_strings_become_exact_decimals(raw, expected):
    info = copy.deepcopy(info_of("pdd_order_information_get_awaiting_ship.json"))
    info["pay_amount"] = raw

    order = mapping.order_from_pdd(info)

    assert (order.total, str(order.total)) == (expected, str(expected))


@pytest.mark.parametrize(
    ("beijing", "expected"),
    [
        ("2026-11-21 20:14:36", utc(2026, 11, 21, 12, 14, 36)),
        ("2026-11-21 07:59:59", utc(2026, 11, 20, 23, 59, 59)),
        ("2027-01-01 00:00:00", utc(2026, 12, 31, 16, 0, 0)),
        ("", None),
    ],
)
def test_times_without_offset_are_beijing_time_stored_as_utc(beijing, expected):
    assert mapping.beijing_time(beijing) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ("order_status=1,refund_status=1", False, False, False)),
        (
            {"risk_control_status": 1},
            ("order_status=1,refund_status=1,risk_control_status=1", True, False, False),
        ),
        ({"refund_status": 2}, ("order_status=1,refund_status=2", True, False, False)),
        ({"refund_status": 3}, ("order_status=1,refund_status=3", True, False, False)),
        ({"refund_status": 4}, ("order_status=1,refund_status=4", False, True, False)),
        ({"confirm_status": 0}, ("order_status=1,refund_status=1,confirm_status=0", True, False, False)),
        ({"confirm_status": 2}, ("order_status=1,refund_status=1,confirm_status=2", False, True, False)),
        ({"group_status": 0}, ("order_status=1,refund_status=1,group_status=0", True, False, False)),
        ({"group_status": 2}, ("order_status=1,refund_status=1,group_status=2", False, True, False)),
        ({"order_status": 2}, ("order_status=2,refund_status=1", False, False, True)),
        ({"order_status": 3}, ("order_status=3,refund_status=1", False, False, True)),
        ({"order_status": 2, "refund_status": 4}, ("order_status=2,refund_status=4", False, True, False)),
    ],
)
def test_status_fields_become_waiting_cancelled_or_held(fields, expected):
    info = {**info_of("pdd_order_information_get_awaiting_ship.json"), **fields}

    order = mapping.order_from_pdd(info)

    assert (order.platform_status, bool(order.platform_hold), order.cancelled, order.hold) == expected
    assert order.payment_pending is False


@pytest.mark.parametrize(
    ("value", "mask", "expected"),
    [
        ("~AgAAAAFvK3xYBzQaGgCn2mE8Pq0b1H2kZ3YyRw==~Rk9q~1~~", "陈*", "陈*"),
        ("$K1q9$AgAAAAFvK3xY0hJ9aR4Yq7nJtZ2vQ6Ww8o0Pq1M=$1$$", "*******3396", "*******3396"),
        ("陈小明", "陈*", "陈小明"),
        ("1387677****", "", "1387677****"),
        ("", "", ""),
        (None, None, ""),
    ],
)
def test_ciphertexts_give_way_to_their_masks_and_other_values_pass(value, mask, expected):
    assert mapping.readable(value, mask) == expected


@pytest.mark.parametrize(
    ("error", "kind", "message"),
    [
        (
            {"error_code": 70031, "error_msg": "调用过于频繁，请调整调用频率"},
            RetryableError,
            "Pinduoduo pdd.order.information.get error 70031: 调用过于频繁，请调整调用频率",
        ),
        (
            {"error_code": 10019, "error_msg": "access_token已过期"},
            PermanentError,
            "Pinduoduo pdd.order.information.get error 10019: access_token已过期 (authorise the shop again)",
        ),
        (
            {"error_code": 50001, "error_msg": "业务错误", "sub_code": "isv.busy", "sub_msg": "rate limit"},
            RetryableError,
            "Pinduoduo pdd.order.information.get error 50001: 业务错误 isv.busy rate limit",
        ),
        (
            {"error_code": 10000, "error_msg": "参数错误", "sub_msg": "order_sn不存在"},
            PermanentError,
            "Pinduoduo pdd.order.information.get error 10000: 参数错误 order_sn不存在",
        ),
    ],
)
def test_error_responses_are_retryable_only_when_rate_limited(error, kind, message):
    exc = pdd_client.error_from(INFORMATION, error)

    assert (type(exc), str(exc)) == (kind, message)


def test_a_stored_page_keeps_the_raw_answers_byte_for_byte():
    increment = fixture("pdd_order_number_list_increment_get.json")
    informations = [fixture("pdd_order_information_get_awaiting_ship.json")]

    body = mapping.compose_page({"page": 1}, increment, informations)

    assert body == (
        b'{"request":{"page":1},"increment":' + increment + b',"informations":[' + informations[0] + b"]}"
    )
    assert [o.external_id for o in mapping.orders_from_page(mapping.load(body))] == [ORDER_A, ORDER_B]


# --- polling through the platform double ----------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    now = {"at": NOW}
    monkeypatch.setattr(pdd_adapter.ADAPTER, "clock", lambda: now["at"])
    return now


@pytest.fixture
def channel(merchant, platform, clock) -> ChannelAccount:
    channel = channel_create(
        merchant=merchant,
        kind="pinduoduo",
        name="PDD 袜子店",
        config={
            "client_id": "pdd_test_client_id_0001",
            "client_secret": SECRET,
            "access_token": "pdd_test_access_token_9c8b7a6d5e4f",
            "api_base_url": platform.url,
            "page_size": 2,
        },
    )
    ChannelAccount.objects.filter(pk=channel.pk).update(poll_cursor={"start_updated_at": START})
    return channel


def queue(platform, *names: str) -> None:
    for name in names:
        platform.add_fixture("POST", ROUTER, f"channels/pinduoduo/{name}")


def queue_two_page_window(platform) -> None:
    a, b, c = (
        "pdd_order_information_get_awaiting_ship.json",
        "pdd_order_information_get_risk_control.json",
        "pdd_order_information_get_two_items.json",
    )
    queue(platform, "pdd_increment_page1_of_2.json", a, b, "pdd_increment_page2_of_2.json", c)
    queue(platform, "pdd_increment_page1_of_2.json", a, b)


def sent(platform, api_type: str) -> list[dict]:
    return [r.form() for r in platform.requests if r.form()["type"] == api_type]


def test_a_window_is_read_from_its_last_page_back_to_the_first(channel, platform):
    queue_two_page_window(platform)

    pages = intake.channel_poll(channel_id=channel.pk)

    assert pages == 3
    window = {"start_updated_at": str(START), "end_updated_at": str(HEAD)}
    assert [{k: f[k] for k in (*window, "page", "page_size")} for f in sent(platform, INCREMENT)] == [
        {**window, "page": "1", "page_size": "2"},
        {**window, "page": "2", "page_size": "2"},
        {**window, "page": "1", "page_size": "2"},
    ]
    first = sent(platform, INCREMENT)[0]
    assert {k: first[k] for k in ("order_status", "refund_status", "is_lucky_flag", "use_has_next")} == {
        "order_status": "5",
        "refund_status": "5",
        "is_lucky_flag": "0",
        "use_has_next": "false",
    }
    assert [f["order_sn"] for f in sent(platform, INFORMATION)] == [
        ORDER_A,
        ORDER_B,
        ORDER_C,
        ORDER_A,
        ORDER_B,
    ]
    for form in (r.form() for r in platform.requests):
        assert {k: form[k] for k in ("client_id", "access_token", "data_type", "version", "timestamp")} == {
            "client_id": "pdd_test_client_id_0001",
            "access_token": "pdd_test_access_token_9c8b7a6d5e4f",
            "data_type": "JSON",
            "version": "V1",
            "timestamp": str(int(NOW.timestamp())),
        }
        assert form["sign"] == mapping.sign(form, SECRET)
    channel.refresh_from_db()
    assert channel.poll_cursor == {"start_updated_at": HEAD - 300}
    assert (channel.last_error, channel.last_sync_at is not None) == ("", True)
    assert sorted(Order.objects.filter(channel=channel).values_list("external_id", flat=True)) == [
        ORDER_A,
        ORDER_B,
        ORDER_C,
    ]
    events = InboundEvent.objects.filter(channel=channel).order_by("received_at")
    assert [e.status for e in events] == [
        InboundStatus.PROCESSED,
        InboundStatus.PROCESSED,
        InboundStatus.DUPLICATE,
    ]


def test_polled_orders_are_filed_with_their_amounts_and_the_risk_hold(channel, platform, merchant, api):
    product_create(merchant=merchant, sku="SOCK-BLK-M", title="袜子")
    queue_two_page_window(platform)

    intake.channel_poll(channel_id=channel.pk)

    first = api.get("/api/v1/orders/", {"external_id": ORDER_A}).json()["results"][0]
    first = api.get(f"/api/v1/orders/{first['id']}/").json()
    assert [first[k] for k in ("subtotal", "shipping_total", "discount_total", "tax_total", "total")] == [
        "59.80",
        "0.00",
        "8.00",
        "0.00",
        "51.80",
    ]
    assert (first["placed_at"], first["note"]) == ("2026-11-21T12:14:36Z", "不要放快递柜")
    assert [issue["code"] for issue in first["issues"] if issue["code"] != "insufficient_stock"] == []
    assert {
        k: first["shipping_address"][k] for k in ("province", "city", "district", "detail", "region_code")
    } == {
        "province": "广东省",
        "city": "广州市",
        "district": "天河区",
        "detail": "天河路***号****",
        "region_code": "440106",
    }
    held = Order.objects.get(channel=channel, external_id=ORDER_B)
    assert (held.status, held.tags) == ("on_hold", ["platform_hold"])
    assert held.events.get(kind="held").reason == "order_status=1,refund_status=1,risk_control_status=1"


def test_a_second_poll_of_the_same_window_creates_no_duplicates(channel, platform):
    queue_two_page_window(platform)
    intake.channel_poll(channel_id=channel.pk)
    platform.routes.clear()
    queue_two_page_window(platform)
    ChannelAccount.objects.filter(pk=channel.pk).update(poll_cursor={"start_updated_at": START})

    intake.channel_poll(channel_id=channel.pk)

    assert Order.objects.filter(channel=channel).count() == 3
    events = InboundEvent.objects.filter(channel=channel).order_by("received_at")
    assert [e.status for e in events][3:] == [InboundStatus.DUPLICATE] * 3


def test_blank_receiver_data_on_a_later_poll_keeps_the_stored_address(channel, platform, clock):
    queue(
        platform,
        "pdd_order_number_list_increment_get.json",
        "pdd_order_information_get_awaiting_ship.json",
        "pdd_order_information_get_risk_control.json",
    )
    intake.channel_poll(channel_id=channel.pk)
    platform.routes.clear()
    clock["at"] = NOW + timedelta(hours=13)
    ChannelAccount.objects.filter(pk=channel.pk).update(poll_cursor={"start_updated_at": START + 13 * 3600})
    queue(
        platform,
        "pdd_increment_shipped_blank_receiver.json",
        "pdd_order_information_get_shipped_blank_receiver.json",
    )

    intake.channel_poll(channel_id=channel.pk)

    order = Order.objects.get(channel=channel, external_id=ORDER_A)
    assert {k: order.shipping_address[k] for k in ("name", "phone", "detail", "district")} == {
        "name": "陈*",
        "phone": "*******3396",
        "detail": "天河路***号****",
        "district": "天河区",
    }
    assert (order.customer_name, order.customer_phone) == ("陈*", "*******3396")
    assert (order.platform_status, order.platform_updated_at) == (
        "order_status=2,refund_status=1",
        utc(2026, 11, 22, 1, 2, 17),
    )
    assert not order.events.filter(kind="address_changed").exists()


@pytest.mark.parametrize(
    "replies",
    [
        ["pdd_error_rate_limited.json"],
        [
            "pdd_increment_page1_of_2.json",
            "pdd_order_information_get_awaiting_ship.json",
            "pdd_error_rate_limited.json",
        ],
    ],
    ids=["on the list", "on an order"],
)
def test_a_rate_limit_backs_off_and_keeps_the_cursor(channel, platform, replies):
    queue(platform, *replies)
    before = datetime.now(UTC)

    pages = intake.channel_poll(channel_id=channel.pk)

    channel.refresh_from_db()
    assert pages == 0
    assert channel.last_error == (
        "Pinduoduo "
        + ("pdd.order.number.list.increment.get" if len(replies) == 1 else INFORMATION)
        + " error 70031: 调用过于频繁，请调整调用频率 (retry in 60 s)"
    )
    backoff = datetime.fromisoformat(channel.poll_cursor.pop("backoff_until"))
    assert before + timedelta(seconds=59) < backoff < datetime.now(UTC) + timedelta(seconds=61)
    assert channel.poll_cursor == {"start_updated_at": START}
    assert (channel.status, channel.last_sync_at) == ("active", None)
    assert not InboundEvent.objects.filter(channel=channel).exists()
    assert not Order.objects.filter(channel=channel).exists()
    assert str(channel.pk) not in intake.channel_poll_due()


def test_an_expired_token_stops_polling_with_the_platform_message(channel, platform):
    queue(platform, "pdd_error_access_token_expired.json")

    intake.channel_poll(channel_id=channel.pk)

    channel.refresh_from_db()
    assert (channel.status, channel.last_error) == (
        "error",
        f"Pinduoduo {INCREMENT} error 10019: access_token已过期 (authorise the shop again)",
    )
    assert channel.poll_cursor == {"start_updated_at": START}


def test_a_long_gap_is_caught_up_in_windows_of_thirty_minutes(channel, platform):
    ChannelAccount.objects.filter(pk=channel.pk).update(poll_cursor={"start_updated_at": HEAD - 3600})
    platform.add("POST", ROUTER, {"order_sn_increment_get_response": {"total_count": 0, "order_sn_list": []}})

    pages = intake.channel_poll(channel_id=channel.pk)

    windows = [(int(f["start_updated_at"]), int(f["end_updated_at"])) for f in sent(platform, INCREMENT)]
    assert pages == 3
    assert windows == [
        (HEAD - 3600, HEAD - 1800),
        (HEAD - 2100, HEAD - 300),
        (HEAD - 600, HEAD),
    ]
    assert all(end - start <= 1800 for start, end in windows)
    channel.refresh_from_db()
    assert channel.poll_cursor == {"start_updated_at": HEAD - 300}


def test_fetch_order_reads_one_order_by_its_number(channel, platform):
    queue(platform, "pdd_order_information_get_awaiting_ship.json")

    order = pdd_adapter.ADAPTER.fetch_order(intake.account_view(channel), ORDER_A)

    assert (order.external_id, order.total) == (ORDER_A, Decimal("51.80"))
    assert [(f["type"], f["order_sn"]) for f in (r.form() for r in platform.requests)] == [
        (INFORMATION, ORDER_A)
    ]


def test_an_order_the_detail_call_refuses_is_filed_from_its_list_entry(channel, platform):
    queue(platform, "pdd_order_number_list_increment_get.json")
    platform.add(
        "POST",
        ROUTER,
        {"error_response": {"error_code": 10000, "error_msg": "参数错误", "sub_msg": "订单不存在"}},
    )
    queue(platform, "pdd_order_information_get_risk_control.json")

    intake.channel_poll(channel_id=channel.pk)

    event = InboundEvent.objects.get(channel=channel)
    stored = mapping.load(bytes(event.body))
    assert stored["informations"][0] == {
        "order_sn": ORDER_A,
        "error": f"Pinduoduo {INFORMATION} error 10000: 参数错误 订单不存在",
    }
    order = Order.objects.get(channel=channel, external_id=ORDER_A)
    assert (order.total, order.shipping_address["detail"]) == (Decimal("51.80"), "天河路***号****")
    assert event.status == InboundStatus.PROCESSED
