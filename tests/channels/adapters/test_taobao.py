"""Taobao/Tmall TOP: the request signature against the samples' recorded ``sign``, trades mapped to the
standard order, and the increment window polled on the double (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from channels import intake
from channels.adapters.base import PermanentError, RawRequest, RetryableError
from channels.adapters.taobao import mapping
from channels.adapters.taobao.adapter import ADAPTER, FULLINFO_FIELDS, window_end
from channels.adapters.taobao.client import TopClient, error_from
from channels.models import ChannelAccount, InboundEvent
from channels.services import channel_create
from oms.orders.models import Order
from oms.orders.types import NewOrder, NewOrderLine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "taobao"
ROUTER = "/router/rest"
BASIC, CLOSED, JIYUAN = "3716834526129876543", "3718800012345678911", "3719021187734551296"
NOW = datetime(2026, 11, 21, 7, 2, tzinfo=UTC)  # 15:02 in Beijing: the sample request's timestamp
INCREMENT_META = json.loads((FIXTURES / "taobao_trades_sold_increment_get_page.meta.json").read_text())
SECRET = INCREMENT_META["secret"]
SESSION = INCREMENT_META["request"]["params"]["session"]


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def meta(name: str) -> dict:
    return load(f"{name}.meta.json")


def fullinfo(name: str = "taobao_trade_fullinfo_get_basic.json", **changes) -> dict:
    """A recorded fullinfo answer, its trade changed as the platform would change it later."""
    answer = copy.deepcopy(load(name))
    answer["trade_fullinfo_get_response"]["trade"].update(changes)
    return answer


def increment(*tids: str) -> dict:
    trades = [{"tid_str": tid, "tid": int(tid), "status": "WAIT_SELLER_SEND_GOODS"} for tid in tids]
    return {"trades_sold_increment_get_response": {"has_next": False, "trades": {"trade": trades}}}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(ADAPTER, "clock", lambda: NOW)


@pytest.fixture
def channel(merchant, platform):
    created = channel_create(
        merchant=merchant,
        kind="taobao",
        name="山茶花旗舰店",
        config={
            "app_key": "12345678",
            "app_secret": SECRET,
            "session": SESSION,
            "sign_method": "hmac-sha256",
            "page_size": 2,
            "window_minutes": 60,
            "api_base_url": platform.url,
        },
    )
    created.poll_cursor = {"next_start": "2026-11-21T06:00:00+00:00"}  # 14:00 in Beijing
    created.save()
    return created


def queue(platform, *answers) -> None:
    """The gateway's answers, in the order the adapter calls (every TOP call posts to /router/rest)."""
    platform.routes[("POST", ROUTER)].clear()
    for answer in answers:
        if isinstance(answer, str):
            platform.add_fixture("POST", ROUTER, f"channels/taobao/{answer}")
        else:
            platform.add("POST", ROUTER, answer)


def queue_recorded_window(platform) -> None:
    queue(
        platform,
        "taobao_trades_sold_increment_get_page.json",
        "taobao_trade_fullinfo_get_basic.json",
        "taobao_trade_fullinfo_get_closed.json",
        "taobao_trades_sold_increment_get_page2.json",
        "taobao_trade_fullinfo_get_jiyuan.json",
        "taobao_trades_sold_increment_get_empty.json",
    )


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


@pytest.mark.parametrize(
    "sample",
    ["taobao_trade_fullinfo_get_basic", "taobao_trades_sold_increment_get_page", "taobao_error_response"],
)
def test_the_signature_of_each_recorded_request(sample):
    recorded = meta(sample)
    params = recorded["signature"]["params_signed"]

    assert mapping.canonical_string(params) == recorded["signature"]["canonical_string"]
    assert mapping.sign(params, recorded["secret"], params["sign_method"]) == recorded["signature"]["value"]
    assert recorded["request"]["params"]["sign"] == recorded["signature"]["value"]


def test_the_hmac_md5_method_signs_the_same_string_with_hmac():
    recorded = meta("taobao_trade_fullinfo_get_basic")
    params = {**recorded["signature"]["params_signed"], "sign_method": "hmac"}
    text = recorded["signature"]["canonical_string"].replace("sign_methodmd5", "sign_methodhmac")

    expected = hmac.new(SECRET.encode(), text.encode(), hashlib.md5).hexdigest().upper()

    assert mapping.sign(params, SECRET, "hmac") == expected


def test_empty_values_and_the_sign_itself_are_not_signed():
    params = meta("taobao_trade_fullinfo_get_basic")["request"]["params"]

    assert mapping.sign({**params, "buyer_nick": "", "simplify": None}, SECRET, "md5") == params["sign"]


def test_the_client_posts_exactly_the_recorded_increment_request():
    recorded = INCREMENT_META["request"]["params"]
    client = TopClient(app_key="12345678", app_secret=SECRET, session_key=SESSION, sign_method="hmac-sha256")
    business = {
        key: recorded[key] for key in ("fields", "start_modified", "end_modified", "page_no", "page_size")
    }

    params = client.signed_params(
        "taobao.trades.sold.increment.get", {**business, "use_has_next": "true"}, "2026-11-21 15:02:00"
    )

    assert params == recorded


# --- mapping (pure) --------------------------------------------------------------------------------------

BASIC_ORDER = NewOrder(
    external_id=BASIC,
    external_number=BASIC,
    currency="CNY",
    placed_at=datetime(2026, 11, 21, 6, 5, 33, tzinfo=UTC),
    platform_updated_at=datetime(2026, 11, 21, 6, 6, 10, tzinfo=UTC),
    platform_status="WAIT_SELLER_SEND_GOODS",
    payment_pending=False,
    cancelled=False,
    hold=False,
    customer={"name": "王**", "email": "", "phone": "*******8821"},
    shipping_address={
        "name": "王**",
        "phone": "*******8821",
        "country": "CN",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文**路***号**小区*幢*单元",
        "postal_code": "310012",
    },
    subtotal=Decimal("128.00"),
    shipping_total=Decimal("0.00"),
    discount_total=Decimal("0.00"),
    tax_total=Decimal("0"),
    total=Decimal("128.00"),
    note="请用顺丰，谢谢",
    lines=(
        NewOrderLine(
            sku="TEA-LJ-250G",
            channel_sku="5012345678901",
            title="2026新茶 明前西湖龙井 250g 礼盒装",
            variant="净含量:250g;包装:礼盒装",
            quantity=1,
            unit_price=Decimal("128.00"),
        ),
    ),
)


def test_the_basic_sample_maps_to_an_exact_order():
    body = mapping.page_body(load("taobao_trades_sold_increment_get_page.json"), [fullinfo()])

    assert ADAPTER.parse(RawRequest(headers={}, body=body), account=None).orders == [BASIC_ORDER]


def test_a_trade_closed_before_payment_is_cancelled_and_keeps_its_line():
    (order,) = mapping.orders_from_page(
        mapping.page_body({}, [load("taobao_trade_fullinfo_get_closed.json")])
    )

    assert (order.platform_status, order.cancelled, order.payment_pending) == (
        "TRADE_CLOSED_BY_TAOBAO",
        True,
        False,
    )
    assert order.lines == (
        NewOrderLine(
            sku="CUP-GL-300",
            channel_sku="CUP-GL-300",
            title="双层玻璃茶杯 300ml 透明",
            quantity=1,
            unit_price=Decimal("59.00"),
        ),
    )
    assert order.note == ""


def test_jiyuan_takes_the_district_as_city_and_a_refunded_sub_order_is_left_out():
    order = mapping.order_from_trade(
        load("taobao_trade_fullinfo_get_jiyuan.json")["trade_fullinfo_get_response"]["trade"]
    )

    assert order.shipping_address == {
        "name": "李**",
        "phone": "*******0371",
        "country": "CN",
        "province": "河南省",
        "city": "济源市",
        "district": "",
        "detail": "沁园路***号",
        "postal_code": "459000",
    }
    assert order.lines == (
        NewOrderLine(
            sku="TEA-BLC-100G",
            channel_sku="5012345678902",
            title="正山小种红茶 100g 罐装",
            variant="净含量:100g",
            quantity=2,
            unit_price=Decimal("88.00"),
        ),
    )
    assert (order.subtotal, order.shipping_total, order.discount_total, order.total) == (
        Decimal("215.00"),
        Decimal("8.00"),
        Decimal("15.00"),
        Decimal("208.00"),
    )


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"receiver_town": "文新街道", "receiver_address": "文三路 90 号"}, "文新街道文三路 90 号"),
        ({"receiver_town": "文新街道", "receiver_address": "文新街道文三路 90 号"}, "文新街道文三路 90 号"),
        ({"receiver_town": "文新街道", "receiver_address": "文**路***号"}, "文**路***号"),
        ({"receiver_town": "", "receiver_address": "文三路 90 号"}, "文三路 90 号"),
    ],
)
def test_the_town_goes_before_a_clear_street(changes, detail):
    trade = fullinfo(**changes)["trade_fullinfo_get_response"]["trade"]

    assert mapping.shipping_address(trade)["detail"] == detail


def test_a_seller_price_adjustment_counts_against_the_discount():
    trade = fullinfo(discount_fee="10.00", adjust_fee="-5.00", payment="113.00")[
        "trade_fullinfo_get_response"
    ]["trade"]

    order = mapping.order_from_trade(trade)

    assert (order.discount_total, order.subtotal - order.discount_total) == (
        Decimal("15.00"),
        Decimal("113.00"),
    )


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        ({"order": [{"oid": 1}, {"oid": 2}]}, [{"oid": 1}, {"oid": 2}]),
        ({"order": {"oid": 1}}, [{"oid": 1}]),
        ({}, []),
        (None, []),
        ([{"oid": 1}], [{"oid": 1}]),
    ],
)
def test_double_wrapped_lists_may_be_empty_or_missing(container, expected):
    assert mapping.unwrap(container, "order") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21 14:05:33", datetime(2026, 11, 21, 6, 5, 33, tzinfo=UTC)),
        ("2026-11-22 00:00:00", datetime(2026, 11, 21, 16, 0, tzinfo=UTC)),
        ("", None),
    ],
)
def test_beijing_times_become_aware_utc(text, expected):
    assert mapping.parse_time(text) == expected


@pytest.mark.parametrize(
    ("status", "payment_pending", "cancelled", "platform_hold", "hold"),
    [
        ("TRADE_NO_CREATE_PAY", True, False, "", False),
        ("WAIT_BUYER_PAY", True, False, "", False),
        ("PAY_PENDING", True, False, "", False),
        ("WAIT_PRE_AUTH_CONFIRM", True, False, "", False),
        ("WAIT_SELLER_SEND_GOODS", False, False, "", False),
        (
            "PAID_FORBID_CONSIGN",
            False,
            False,
            "PAID_FORBID_CONSIGN: paid, but Taobao does not allow shipping yet",
            False,
        ),
        ("SELLER_CONSIGNED_PART", False, False, "", True),
        ("WAIT_BUYER_CONFIRM_GOODS", False, False, "", True),
        ("TRADE_BUYER_SIGNED", False, False, "", True),
        ("TRADE_FINISHED", False, False, "", True),
        ("TRADE_CLOSED", False, True, "", False),
        ("TRADE_CLOSED_BY_TAOBAO", False, True, "", False),
    ],
)
def test_status_map(status, payment_pending, cancelled, platform_hold, hold):
    order = mapping.order_from_trade(fullinfo(status=status)["trade_fullinfo_get_response"]["trade"])

    assert (order.payment_pending, order.cancelled, order.platform_hold, order.hold) == (
        payment_pending,
        cancelled,
        platform_hold,
        hold,
    )
    assert order.platform_status == status


@pytest.mark.parametrize(
    ("refund_status", "trade_status", "platform_hold"),
    [
        (
            "WAIT_SELLER_AGREE",
            "WAIT_SELLER_SEND_GOODS",
            "refund under way on sub-order 3716834526129876543 WAIT_SELLER_AGREE",
        ),
        (
            "WAIT_BUYER_RETURN_GOODS",
            "WAIT_SELLER_SEND_GOODS",
            "refund under way on sub-order 3716834526129876543 WAIT_BUYER_RETURN_GOODS",
        ),
        ("SELLER_REFUSE_BUYER", "WAIT_SELLER_SEND_GOODS", ""),
        ("CLOSED", "WAIT_SELLER_SEND_GOODS", ""),
        ("WAIT_SELLER_AGREE", "WAIT_BUYER_CONFIRM_GOODS", ""),
    ],
)
def test_a_refund_under_way_holds_a_trade_still_to_ship(refund_status, trade_status, platform_hold):
    answer = fullinfo(status=trade_status)
    answer["trade_fullinfo_get_response"]["trade"]["orders"]["order"][0]["refund_status"] = refund_status

    order = mapping.order_from_trade(answer["trade_fullinfo_get_response"]["trade"])

    assert order.platform_hold == platform_hold


@pytest.mark.parametrize(
    ("error", "kind", "retry_after"),
    [
        (load("taobao_error_response.json")["error_response"], RetryableError, 1.0),
        (
            {"code": 15, "msg": "Remote service error", "sub_code": "isp.remote-service-error"},
            RetryableError,
            None,
        ),
        (
            {"code": 10, "msg": "Service Currently Unavailable", "sub_code": "isp.top-remote-unknown-error"},
            RetryableError,
            None,
        ),
        (load("taobao_error_invalid_session.json")["error_response"], PermanentError, None),
        ({"code": 25, "msg": "Invalid signature"}, PermanentError, None),
        (
            {"code": 15, "msg": "Remote service error", "sub_code": "isv.trade-not-exist"},
            PermanentError,
            None,
        ),
    ],
)
def test_gateway_errors_are_retryable_or_permanent(error, kind, retry_after):
    exc = error_from(error)

    assert type(exc) is kind
    assert getattr(exc, "retry_after", None) == retry_after


@pytest.mark.parametrize(
    ("start", "now", "length", "end"),
    [
        (
            datetime(2026, 11, 21, 6, tzinfo=UTC),
            NOW,
            timedelta(hours=1),
            datetime(2026, 11, 21, 7, tzinfo=UTC),
        ),
        (datetime(2026, 11, 21, 6, tzinfo=UTC), NOW, timedelta(hours=5), NOW),
        (datetime(2026, 11, 1, tzinfo=UTC), NOW, timedelta(days=3), datetime(2026, 11, 2, tzinfo=UTC)),
    ],
)
def test_a_window_is_never_longer_than_a_day(start, now, length, end):
    assert window_end(start, now, length) == end


# --- polling on the double -------------------------------------------------------------------------------


def test_polling_pages_a_window_then_reads_the_next_one(channel, platform):
    queue_recorded_window(platform)

    pages = intake.channel_poll(channel_id=channel.pk)

    assert pages == 3
    forms = [request.form() for request in platform.requests]
    assert [(f["method"], f.get("page_no"), f.get("tid")) for f in forms] == [
        ("taobao.trades.sold.increment.get", "1", None),
        ("taobao.trade.fullinfo.get", None, BASIC),
        ("taobao.trade.fullinfo.get", None, CLOSED),
        ("taobao.trades.sold.increment.get", "2", None),
        ("taobao.trade.fullinfo.get", None, JIYUAN),
        ("taobao.trades.sold.increment.get", "1", None),
    ]
    assert forms[0] == INCREMENT_META["request"]["params"]  # the recorded request, sign and all
    assert {
        key: forms[3][key] for key in ("start_modified", "end_modified", "page_size", "use_has_next")
    } == {
        "start_modified": "2026-11-21 14:00:00",
        "end_modified": "2026-11-21 15:00:00",
        "page_size": "2",
        "use_has_next": "true",
    }
    assert (forms[5]["start_modified"], forms[5]["end_modified"]) == (
        "2026-11-21 14:55:00",
        "2026-11-21 15:02:00",
    )
    assert {f["fields"] for f in forms if f["method"] == "taobao.trade.fullinfo.get"} == {FULLINFO_FIELDS}
    assert all(f["sign"] == mapping.sign(f, SECRET, "hmac-sha256") for f in forms)
    assert {r.headers["Content-Type"] for r in platform.requests} == {
        "application/x-www-form-urlencoded;charset=utf-8"
    }
    channel.refresh_from_db()
    assert channel.poll_cursor == {"next_start": "2026-11-21T06:57:00+00:00"}  # 15:02 − 5 minutes, Beijing
    assert (channel.status, channel.last_error) == ("active", "")
    assert dict(Order.objects.values_list("external_id", "status")) == {
        BASIC: "new",
        CLOSED: "cancelled",
        JIYUAN: "new",
    }


def test_the_persisted_cursor_is_what_the_next_poll_sends(channel, platform):
    queue_recorded_window(platform)
    intake.channel_poll(channel_id=channel.pk)
    queue(platform, "taobao_trades_sold_increment_get_empty.json")
    seen = len(platform.requests)

    assert intake.channel_poll(channel_id=channel.pk) == 1

    (request,) = platform.requests[seen:]
    assert (request.form()["start_modified"], request.form()["page_no"]) == ("2026-11-21 14:57:00", "1")


def test_each_page_is_stored_with_its_fullinfo_answers(channel, platform):
    queue_recorded_window(platform)

    intake.channel_poll(channel_id=channel.pk)

    first = InboundEvent.objects.filter(channel=channel).order_by("received_at").first()
    assert json.loads(bytes(first.body)) == {
        "increment": load("taobao_trades_sold_increment_get_page.json"),
        "fullinfo": [
            load("taobao_trade_fullinfo_get_basic.json"),
            load("taobao_trade_fullinfo_get_closed.json"),
        ],
    }


# --- through the API: sync, dedup, versions, errors ------------------------------------------------------


def test_sync_files_the_orders_of_the_channel(api, channel, platform, rival_api):
    queue_recorded_window(platform)

    sync(api, channel)

    assert listed(api, channel) == {BASIC: "new", CLOSED: "cancelled", JIYUAN: "new"}
    order = detail(api, channel, BASIC)
    assert order["shipping_address"] == {
        "name": "王**",
        "phone": "*******8821",
        "country": "CN",
        "province": "浙江省",
        "province_code": "",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文**路***号**小区*幢*单元",
        "postal_code": "310012",
        "region_code": "330106",
    }
    assert (order["currency"], order["total"], order["note"]) == ("CNY", "128.00", "请用顺丰，谢谢")
    assert order["placed_at"] == "2026-11-21T06:05:33Z"
    jiyuan = detail(api, channel, JIYUAN)
    address = jiyuan["shipping_address"]
    assert (address["province"], address["city"], address["region_code"]) == ("河南省", "济源市", "419001")
    assert [(line["sku"], line["quantity"]) for line in jiyuan["lines"]] == [("TEA-BLC-100G", 2)]
    assert "total_mismatch" in [issue["code"] for issue in jiyuan["issues"]]  # the refunded line is out
    assert rival_api.get(f"/api/v1/orders/?channel={channel.pk}").json()["count"] == 0


def test_a_second_sync_of_the_same_data_creates_no_duplicates(api, channel, platform):
    queue_recorded_window(platform)
    sync(api, channel)
    ChannelAccount.objects.filter(pk=channel.pk).update(
        poll_cursor={"next_start": "2026-11-21T06:00:00+00:00"}
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


def test_a_newer_close_cancels_and_an_older_version_changes_nothing(api, channel, platform):
    queue_recorded_window(platform)
    sync(api, channel)
    queue(platform, increment(BASIC), fullinfo(status="TRADE_CLOSED", modified="2026-11-21 14:01:00"))

    sync(api, channel)

    assert listed(api, channel)[BASIC] == "new"
    assert Order.objects.get(external_id=BASIC).platform_status == "WAIT_SELLER_SEND_GOODS"

    queue(platform, increment(BASIC), fullinfo(status="TRADE_CLOSED", modified="2026-11-21 16:20:00"))

    sync(api, channel)

    assert listed(api, channel)[BASIC] == "cancelled"
    stored = Order.objects.get(external_id=BASIC)
    assert (stored.platform_status, stored.platform_updated_at) == (
        "TRADE_CLOSED",
        datetime(2026, 11, 21, 8, 20, tzinfo=UTC),
    )


def test_a_refund_request_holds_the_trade_until_the_seller_refuses_it(api, channel, platform):
    requested = fullinfo(modified="2026-11-21 14:30:00")
    requested["trade_fullinfo_get_response"]["trade"]["orders"]["order"][0]["refund_status"] = (
        "WAIT_SELLER_AGREE"
    )
    queue(platform, increment(BASIC), requested)
    sync(api, channel)
    assert listed(api, channel) == {BASIC: "on_hold"}
    refused = fullinfo(modified="2026-11-21 15:10:00")
    refused["trade_fullinfo_get_response"]["trade"]["orders"]["order"][0]["refund_status"] = (
        "SELLER_REFUSE_BUYER"
    )
    queue(platform, increment(BASIC), refused)

    sync(api, channel)

    assert listed(api, channel) == {BASIC: "new"}


def test_a_trade_first_seen_already_shipped_is_not_shipped_again(api, channel, platform):
    queue(platform, increment(BASIC), fullinfo(status="WAIT_BUYER_CONFIRM_GOODS"))

    sync(api, channel)

    assert listed(api, channel) == {BASIC: "on_hold"}


def test_a_later_poll_with_masked_or_blank_receiver_does_not_erase_the_address(api, channel, platform):
    clear = {"receiver_name": "王小明", "receiver_mobile": "13800138000", "receiver_address": "文三路 90 号"}
    queue(platform, increment(BASIC), fullinfo(**clear))
    sync(api, channel)
    before = detail(api, channel, BASIC)
    masked = {
        "receiver_name": "王**",
        "receiver_mobile": "",
        "receiver_address": "",
        "modified": "2026-11-21 18:00:00",
    }
    queue(platform, increment(BASIC), fullinfo(**masked))

    sync(api, channel)

    after = detail(api, channel, BASIC)
    assert after["shipping_address"] == before["shipping_address"]
    assert after["shipping_address"]["name"] == "王小明"
    assert after["shipping_address"]["phone"] == "+8613800138000"
    assert after["shipping_address"]["detail"] == "文新街道文三路 90 号"
    assert after["customer"] == {"name": "王小明", "email": "", "phone": "+8613800138000"}
    assert Order.objects.get(external_id=BASIC).platform_updated_at == datetime(2026, 11, 21, 10, tzinfo=UTC)


def test_a_call_limit_backs_off_and_the_next_run_resumes_the_page(api, channel, platform):
    queue(
        platform,
        "taobao_trades_sold_increment_get_page.json",
        "taobao_trade_fullinfo_get_basic.json",
        "taobao_trade_fullinfo_get_closed.json",
        "taobao_trades_sold_increment_get_page2.json",
        "taobao_error_response.json",
    )
    started = timezone.now()

    sync(api, channel)

    channel.refresh_from_db()
    assert channel.last_error == (
        "TOP error 7: App Call Limited (accesscontrol.limited-by-app-access-count: "
        "This ban will last for 1 more seconds) (retry in 1 s)"
    )
    backoff_until = datetime.fromisoformat(channel.poll_cursor.pop("backoff_until"))
    assert started + timedelta(seconds=1) <= backoff_until <= timezone.now() + timedelta(seconds=1)
    assert channel.poll_cursor == {
        "window_start": "2026-11-21T06:00:00+00:00",
        "window_end": "2026-11-21T07:00:00+00:00",
        "page": 2,
    }
    assert channel.status == "active"
    assert listed(api, channel) == {BASIC: "new", CLOSED: "cancelled"}
    queue(
        platform,
        "taobao_trades_sold_increment_get_page2.json",
        "taobao_trade_fullinfo_get_jiyuan.json",
        "taobao_trades_sold_increment_get_empty.json",
    )
    seen = len(platform.requests)

    sync(api, channel)

    resumed = platform.requests[seen].form()
    assert (resumed["page_no"], resumed["start_modified"], resumed["end_modified"]) == (
        "2",
        "2026-11-21 14:00:00",
        "2026-11-21 15:00:00",
    )
    assert listed(api, channel) == {BASIC: "new", CLOSED: "cancelled", JIYUAN: "new"}


def test_a_bad_session_puts_the_channel_in_error(api, channel, platform):
    queue(platform, "taobao_error_invalid_session.json")

    sync(api, channel)

    channel.refresh_from_db()
    assert channel.status == "error"
    assert channel.last_error == "TOP error 27: Invalid session (invalid-sessionkey)"
    assert channel.poll_cursor == {"next_start": "2026-11-21T06:00:00+00:00"}
    assert len(platform.requests) == 1
    assert not Order.objects.exists()
    assert not InboundEvent.objects.exists()


def test_fetch_order_reads_the_full_trade(channel, platform):
    queue(platform, "taobao_trade_fullinfo_get_basic.json")

    order = ADAPTER.fetch_order(intake.account_view(channel), BASIC)

    assert order == BASIC_ORDER
    assert (platform.requests[0].form()["method"], platform.requests[0].form()["tid"]) == (
        "taobao.trade.fullinfo.get",
        BASIC,
    )
