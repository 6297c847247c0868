"""Amazon SP-API: Orders v0 pages and their items mapped to the standard order, and polled on the double
(real HTTP on 127.0.0.1) with the LWA token call, NextToken paging of orders and of items, and the cursor."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from channels import intake
from channels.adapters.amazon import mapping
from channels.adapters.amazon.adapter import ADAPTER
from channels.adapters.base import RawRequest
from channels.models import ChannelAccount, InboundEvent, InboundStatus
from channels.services import channel_create
from oms.orders.models import Order
from oms.orders.types import NewOrder, NewOrderLine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "amazon"
ORDERS = "/orders/v0/orders"
TOKEN = "/auth/o2/token"
UNSHIPPED, PENDING, CANCELED = "113-4827561-9083412", "113-9911223-4455667", "114-3301987-2210954"
ACCESS_TOKEN = "Atza|IwEBIEXAMPLE-LWA-ACCESS-TOKEN"
NEXT_TOKEN = "MRgZW55IGNhcm5hbCBwbGVhc3VyZS4fYWJjZGVmZ2hpamtsbW5vcA=="
NOW = datetime(2026, 11, 22, 6, 1, 0, tzinfo=UTC)  # so LastUpdatedBefore is the sample's 05:58:00Z


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def items_path(order_id: str) -> str:
    return f"{ORDERS}/{order_id}/orderItems"


def replace(platform, method: str, path: str, body, status: int = 200, headers=None) -> None:
    """Make ``body`` the next answer of METHOD path (the double repeats its last reply otherwise)."""
    platform.routes[(method, path)].clear()
    platform.add(method, path, body, status=status, headers=headers)


def order_version(order_id: str = UNSHIPPED, **changes) -> dict:
    """A getOrders page with one order as recorded, changed as the platform would change it later."""
    source = load("amazon_getorders_page1.json")["payload"]["Orders"]
    order = copy.deepcopy(next(o for o in source if o["AmazonOrderId"] == order_id))
    order.update(changes)
    return {"payload": {"Orders": [order], "LastUpdatedBefore": "2026-11-22T08:58:00Z"}}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(ADAPTER, "clock", lambda: NOW)


@pytest.fixture
def channel(merchant, platform):
    created = channel_create(
        merchant=merchant,
        kind="amazon",
        name="Acme US",
        config={
            "client_id": "amzn1.application-oa2-client.0123456789abcdef",
            "client_secret": "amzn1.oa2-cs.v1.test-client-secret",
            "refresh_token": "Atzr|IwEBIEXAMPLE-LWA-REFRESH-TOKEN",
            "marketplace_id": "ATVPDKIKX0DER",
            "page_size": 2,
            "api_base_url": platform.url,
            "lwa_base_url": platform.url,
        },
    )
    created.poll_cursor = {"last_updated_after": "2026-11-21T18:00:00Z"}
    created.save()
    return created


def queue_recorded_window(platform) -> None:
    """Two pages of getOrders and, per order, its getOrderItems pages, in the order the adapter asks."""
    platform.add_fixture("POST", TOKEN, "channels/amazon/lwa_token.json")
    platform.add_fixture("GET", ORDERS, "channels/amazon/amazon_getorders_page1.json")
    platform.add_fixture("GET", ORDERS, "channels/amazon/amazon_getorders_page2.json")
    platform.add_fixture(
        "GET", items_path(UNSHIPPED), "channels/amazon/amazon_getorderitems_unshipped_page1.json"
    )
    platform.add_fixture(
        "GET", items_path(UNSHIPPED), "channels/amazon/amazon_getorderitems_unshipped_page2.json"
    )
    platform.add_fixture("GET", items_path(PENDING), "channels/amazon/amazon_getorderitems_pending.json")
    platform.add_fixture("GET", items_path(CANCELED), "channels/amazon/amazon_getorderitems_canceled.json")


def sync(api, channel) -> None:
    response = api.post(f"/api/v1/channels/{channel.pk}/sync/")
    assert response.status_code == 202


def listed(api, channel) -> dict[str, str]:
    body = api.get(f"/api/v1/orders/?channel={channel.pk}").json()
    return {order["external_id"]: order["status"] for order in body["results"]}


def detail(api, channel, external_id: str) -> dict:
    found = api.get(f"/api/v1/orders/?channel={channel.pk}&external_id={external_id}").json()["results"]
    assert len(found) == 1
    return api.get(f"/api/v1/orders/{found[0]['id']}/").json()


# --- mapping (pure) -------------------------------------------------------------------------------------

UNSHIPPED_ORDER = NewOrder(
    external_id=UNSHIPPED,
    external_number=UNSHIPPED,
    currency="USD",
    placed_at=datetime(2026, 11, 21, 18, 22, 7, tzinfo=UTC),
    platform_updated_at=datetime(2026, 11, 21, 18, 52, 41, tzinfo=UTC),
    platform_status="Unshipped",
    payment_pending=False,
    cancelled=False,
    customer={"name": "", "email": "h3kq9zx7vt2m1bn@marketplace.amazon.com", "phone": ""},
    shipping_address={
        "name": "",
        "phone": "",
        "country": "US",
        "province": "WA",
        "city": "SEATTLE",
        "district": "",
        "detail": "",
        "postal_code": "98109-5210",
    },
    shipping_total=Decimal("4.99"),
    discount_total=Decimal("2.99"),
    tax_total=Decimal("0.00"),
    total=Decimal("47.97"),
    tags=(),
    lines=(
        NewOrderLine(
            sku="MUG-CER-WHT-350",
            channel_sku="MUG-CER-WHT-350",
            title="Acme Ceramic Coffee Mug, 12 oz, White",
            quantity=2,
            unit_price=Decimal("14.99"),
            total=Decimal("29.98"),
        ),
        NewOrderLine(
            sku="COASTER-CORK-4",
            channel_sku="COASTER-CORK-4",
            title="Acme Cork Coasters, Set of 4",
            quantity=1,
            unit_price=Decimal("15.99"),
            total=Decimal("15.99"),
        ),
    ),
)

PENDING_ORDER = NewOrder(
    external_id=PENDING,
    external_number=PENDING,
    currency="USD",  # no OrderTotal yet: the marketplace's currency
    placed_at=datetime(2026, 11, 22, 5, 41, 19, tzinfo=UTC),
    platform_updated_at=datetime(2026, 11, 22, 5, 41, 20, tzinfo=UTC),
    platform_status="Pending",
    payment_pending=True,
    cancelled=False,
    customer={"name": "", "email": "", "phone": ""},
    shipping_address={},
    shipping_total=Decimal("0"),
    discount_total=Decimal("0"),
    tax_total=Decimal("0"),
    total=None,
    tags=("prime",),
    lines=(
        NewOrderLine(
            sku="MUG-CER-WHT-350",
            channel_sku="MUG-CER-WHT-350",
            title="Acme Ceramic Coffee Mug, 12 oz, White",
            quantity=1,
            unit_price=Decimal("0"),
            total=None,
        ),
    ),
)


def recorded_page_body() -> bytes:
    return mapping.page_body(
        load("amazon_getorders_page1.json"),
        {
            UNSHIPPED: [
                load("amazon_getorderitems_unshipped_page1.json"),
                load("amazon_getorderitems_unshipped_page2.json"),
            ],
            PENDING: [load("amazon_getorderitems_pending.json")],
        },
    )


def test_a_stored_page_maps_to_exact_orders():
    orders = ADAPTER.parse(RawRequest(headers={}, body=recorded_page_body()), account=None).orders

    assert orders == [UNSHIPPED_ORDER, PENDING_ORDER]


def test_a_cancelled_order_whose_items_are_all_at_zero_keeps_them_at_one_for_nothing():
    page = load("amazon_getorders_page2.json")
    (order,) = mapping.orders_from_page(
        mapping.page_body(page, {CANCELED: [load("amazon_getorderitems_canceled.json")]})
    )

    assert (order.platform_status, order.cancelled, order.payment_pending) == ("Canceled", True, False)
    assert order.total == Decimal("0.00")
    assert order.lines == (
        NewOrderLine(
            sku="MUG-CER-WHT-350",
            channel_sku="MUG-CER-WHT-350",
            title="Acme Ceramic Coffee Mug, 12 oz, White",
            quantity=1,
            unit_price=Decimal("0"),
            total=Decimal("0"),
        ),
    )


def test_items_cancelled_to_zero_are_left_out():
    items = [
        {"SellerSKU": "A", "QuantityOrdered": 0, "ItemPrice": {"CurrencyCode": "USD", "Amount": "0.00"}},
        {"SellerSKU": "B", "QuantityOrdered": 2, "ItemPrice": {"CurrencyCode": "USD", "Amount": "10.00"}},
    ]

    assert [(line.sku, line.quantity) for line in mapping.lines_from_items(items)] == [("B", 2)]


@pytest.mark.parametrize(
    ("amount", "quantity", "unit_price"),
    [("29.98", 2, Decimal("14.99")), ("15.99", 1, Decimal("15.99")), ("1000", 3, Decimal(1000) / 3)],
)
def test_item_price_is_the_line_total(amount, quantity, unit_price):
    item = {
        "SellerSKU": "S",
        "QuantityOrdered": quantity,
        "ItemPrice": {"CurrencyCode": "JPY", "Amount": amount},
    }

    line = mapping.line_from_item(item)

    assert (line.unit_price, line.total, line.quantity) == (unit_price, Decimal(amount), quantity)


def test_a_line_without_seller_sku_maps_by_asin():
    line = mapping.line_from_item({"ASIN": "B0CXYZ9999", "QuantityOrdered": 1})

    assert (line.sku, line.channel_sku) == ("", "B0CXYZ9999")


def test_the_full_address_of_a_restricted_data_token_call():
    order = {
        "ShippingAddress": {
            "Name": "Jane Q. Doe",
            "AddressLine1": "410 Terry Ave N",
            "AddressLine2": "Apt 5",
            "City": "Seattle",
            "County": "King",
            "StateOrRegion": "WA",
            "PostalCode": "98109-5210",
            "CountryCode": "US",
            "Phone": "+1 206-266-1000",
        }
    }

    assert mapping.shipping_address(order) == {
        "name": "Jane Q. Doe",
        "phone": "+1 206-266-1000",
        "country": "US",
        "province": "WA",
        "city": "Seattle",
        "district": "King",
        "detail": "410 Terry Ave N, Apt 5",
        "postal_code": "98109-5210",
    }


@pytest.mark.parametrize(
    ("status", "payment_pending", "cancelled", "hold"),
    [
        ("Pending", True, False, False),
        ("PendingAvailability", True, False, False),
        ("Unshipped", False, False, False),
        ("PartiallyShipped", False, False, True),
        ("Shipped", False, False, True),
        ("InvoiceUnconfirmed", False, False, True),
        ("Canceled", False, True, False),
        ("Unfulfillable", False, True, False),
        ("SomethingNew", False, False, False),
    ],
)
def test_status_map(status, payment_pending, cancelled, hold):
    order = mapping.order_from_amazon(dict(order_version()["payload"]["Orders"][0], OrderStatus=status), [])

    assert (order.payment_pending, order.cancelled, order.hold, order.platform_hold) == (
        payment_pending,
        cancelled,
        hold,
        "",
    )
    assert order.platform_status == status


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21T18:22:07Z", datetime(2026, 11, 21, 18, 22, 7, tzinfo=UTC)),
        ("2026-11-21T18:22:07.250Z", datetime(2026, 11, 21, 18, 22, 7, 250000, tzinfo=UTC)),
        ("2026-11-22T03:22:07+09:00", datetime(2026, 11, 21, 18, 22, 7, tzinfo=UTC)),
        ("", None),
    ],
)
def test_times_are_aware_utc(text, expected):
    assert mapping.parse_time(text) == expected


# --- polling on the double ------------------------------------------------------------------------------


def test_polling_pages_orders_and_items_with_next_tokens(channel, platform):
    queue_recorded_window(platform)

    pages = intake.channel_poll(channel_id=channel.pk)

    assert pages == 2
    assert [(r.method, r.path, r.query) for r in platform.requests] == [
        ("POST", TOKEN, {}),
        (
            "GET",
            ORDERS,
            {
                "MarketplaceIds": ["ATVPDKIKX0DER"],
                "LastUpdatedAfter": ["2026-11-21T18:00:00Z"],
                "LastUpdatedBefore": ["2026-11-22T05:58:00Z"],
                "MaxResultsPerPage": ["2"],
                "FulfillmentChannels": ["MFN"],
            },
        ),
        ("GET", items_path(UNSHIPPED), {}),
        ("GET", items_path(UNSHIPPED), {"NextToken": ["ItemsPage2-6b4f1e0a9c2d7e3f"]}),
        ("GET", items_path(PENDING), {}),
        ("GET", ORDERS, {"MarketplaceIds": ["ATVPDKIKX0DER"], "NextToken": [NEXT_TOKEN]}),
        ("GET", items_path(CANCELED), {}),
    ]
    assert platform.requests[0].form() == {
        "grant_type": "refresh_token",
        "refresh_token": "Atzr|IwEBIEXAMPLE-LWA-REFRESH-TOKEN",
        "client_id": "amzn1.application-oa2-client.0123456789abcdef",
        "client_secret": "amzn1.oa2-cs.v1.test-client-secret",
    }
    assert {r.headers["x-amz-access-token"] for r in platform.requests[1:]} == {ACCESS_TOKEN}
    channel.refresh_from_db()
    assert channel.poll_cursor == {"last_updated_after": "2026-11-22T05:53:00Z"}  # echoed before − 5 min
    assert (channel.status, channel.last_error) == ("active", "")
    assert dict(Order.objects.values_list("external_id", "status")) == {
        UNSHIPPED: "new",
        PENDING: "on_hold",
        CANCELED: "cancelled",
    }


def test_each_page_is_stored_as_one_composite_event(channel, platform):
    queue_recorded_window(platform)

    intake.channel_poll(channel_id=channel.pk)

    events = list(InboundEvent.objects.filter(channel=channel).order_by("received_at"))
    assert [(e.source, e.status) for e in events] == [("poll", InboundStatus.PROCESSED)] * 2
    first = json.loads(bytes(events[0].body))
    assert first["getOrders"] == load("amazon_getorders_page1.json")
    assert first["getOrderItems"] == {
        UNSHIPPED: [
            load("amazon_getorderitems_unshipped_page1.json"),
            load("amazon_getorderitems_unshipped_page2.json"),
        ],
        PENDING: [load("amazon_getorderitems_pending.json")],
    }
    assert json.loads(events[0].headers["x-oms-cursor"]) == {"last_updated_after": "2026-11-21T18:00:00Z"}


def test_the_persisted_cursor_is_what_the_next_poll_sends_and_the_token_is_reused(channel, platform):
    queue_recorded_window(platform)
    intake.channel_poll(channel_id=channel.pk)
    replace(platform, "GET", ORDERS, {"payload": {"Orders": [], "LastUpdatedBefore": "2026-11-22T05:58:00Z"}})
    seen = len(platform.requests)

    assert intake.channel_poll(channel_id=channel.pk) == 1

    (request,) = platform.requests[seen:]
    assert request.query["LastUpdatedAfter"] == ["2026-11-22T05:53:00Z"]
    assert [r.path for r in platform.requests].count(TOKEN) == 1


def test_the_first_poll_looks_back_a_day_from_the_clock(channel, platform):
    ChannelAccount.objects.filter(pk=channel.pk).update(poll_cursor={})
    platform.add_fixture("POST", TOKEN, "channels/amazon/lwa_token.json")
    platform.add("GET", ORDERS, {"payload": {"Orders": [], "LastUpdatedBefore": "2026-11-22T05:58:00Z"}})

    intake.channel_poll(channel_id=channel.pk)

    assert platform.requests[1].query["LastUpdatedAfter"] == ["2026-11-21T06:01:00Z"]
    assert not Order.objects.exists()


def test_an_expired_access_token_is_replaced_once(channel, platform):
    platform.add_fixture("POST", TOKEN, "channels/amazon/lwa_token.json")
    platform.add_fixture("GET", ORDERS, "channels/amazon/amazon_error_unauthorized.json", status=403)
    platform.add("GET", ORDERS, {"payload": {"Orders": [], "LastUpdatedBefore": "2026-11-22T05:58:00Z"}})

    intake.channel_poll(channel_id=channel.pk)

    assert [(r.method, r.path) for r in platform.requests] == [
        ("POST", TOKEN),
        ("GET", ORDERS),
        ("POST", TOKEN),
        ("GET", ORDERS),
    ]
    channel.refresh_from_db()
    assert (channel.status, channel.last_error) == ("active", "")


# --- through the API: sync, dedup, versions, errors -----------------------------------------------------


def test_sync_files_the_orders_of_the_channel(api, channel, platform, rival_api):
    queue_recorded_window(platform)

    sync(api, channel)

    assert listed(api, channel) == {UNSHIPPED: "new", PENDING: "on_hold", CANCELED: "cancelled"}
    order = detail(api, channel, UNSHIPPED)
    assert (order["currency"], order["subtotal"], order["shipping_total"]) == ("USD", "45.97", "4.99")
    assert (order["discount_total"], order["tax_total"], order["total"]) == ("2.99", "0.00", "47.97")
    assert [
        (line["sku"], line["quantity"], line["unit_price"], line["total"]) for line in order["lines"]
    ] == [
        ("MUG-CER-WHT-350", 2, "14.99", "29.98"),
        ("COASTER-CORK-4", 1, "15.99", "15.99"),
    ]
    assert [issue["code"] for issue in order["issues"]] == ["unknown_sku", "unknown_sku"]
    assert order["customer"]["email"] == "h3kq9zx7vt2m1bn@marketplace.amazon.com"
    assert rival_api.get(f"/api/v1/orders/?channel={channel.pk}").json()["count"] == 0


def test_a_second_sync_of_the_same_data_creates_no_duplicates(api, channel, platform):
    queue_recorded_window(platform)
    sync(api, channel)
    ChannelAccount.objects.filter(pk=channel.pk).update(
        poll_cursor={"last_updated_after": "2026-11-21T18:00:00Z"}
    )
    platform.routes.clear()
    queue_recorded_window(platform)

    sync(api, channel)

    assert Order.objects.filter(channel=channel).count() == 3
    statuses = list(
        InboundEvent.objects.filter(channel=channel).order_by("received_at").values_list("status", flat=True)
    )
    assert statuses == ["processed", "processed", "duplicate", "duplicate"]


def test_a_newer_cancellation_cancels_and_an_older_version_changes_nothing(api, channel, platform):
    queue_recorded_window(platform)
    sync(api, channel)
    replace(
        platform, "GET", ORDERS, order_version(OrderStatus="Canceled", LastUpdateDate="2026-11-20T23:00:00Z")
    )

    sync(api, channel)

    assert listed(api, channel)[UNSHIPPED] == "new"
    assert Order.objects.get(external_id=UNSHIPPED).platform_status == "Unshipped"

    replace(
        platform, "GET", ORDERS, order_version(OrderStatus="Canceled", LastUpdateDate="2026-11-22T08:30:00Z")
    )

    sync(api, channel)

    assert listed(api, channel)[UNSHIPPED] == "cancelled"
    assert Order.objects.get(external_id=UNSHIPPED).platform_status == "Canceled"


def test_an_order_first_seen_shipped_is_not_shipped_again(api, channel, platform):
    platform.add_fixture("POST", TOKEN, "channels/amazon/lwa_token.json")
    platform.add("GET", ORDERS, order_version(OrderStatus="Shipped"))
    platform.add_fixture(
        "GET", items_path(UNSHIPPED), "channels/amazon/amazon_getorderitems_unshipped_page2.json"
    )

    sync(api, channel)

    assert listed(api, channel) == {UNSHIPPED: "on_hold"}


def test_a_pending_order_is_released_when_amazon_reports_it_paid(api, channel, platform):
    queue_recorded_window(platform)
    sync(api, channel)
    paid = order_version(PENDING, OrderStatus="Unshipped", LastUpdateDate="2026-11-22T07:10:00Z")
    paid["payload"]["Orders"][0]["OrderTotal"] = {"CurrencyCode": "USD", "Amount": "14.99"}
    replace(platform, "GET", ORDERS, paid)
    priced = load("amazon_getorderitems_pending.json")
    priced["payload"]["OrderItems"][0]["ItemPrice"] = {"CurrencyCode": "USD", "Amount": "14.99"}
    replace(platform, "GET", items_path(PENDING), priced)

    sync(api, channel)

    assert listed(api, channel)[PENDING] == "new"
    order = detail(api, channel, PENDING)
    assert (order["currency"], order["total"], order["lines"][0]["unit_price"]) == ("USD", "14.99", "14.99")


def test_a_later_poll_without_the_address_does_not_erase_it(api, channel, platform):
    platform.add_fixture("POST", TOKEN, "channels/amazon/lwa_token.json")
    full = {
        "Name": "Jane Q. Doe",
        "AddressLine1": "410 Terry Ave N",
        "City": "SEATTLE",
        "StateOrRegion": "WA",
        "PostalCode": "98109-5210",
        "CountryCode": "US",
        "Phone": "+1 206-266-1000",
    }
    platform.add("GET", ORDERS, order_version(ShippingAddress=full))
    platform.add_fixture(
        "GET", items_path(UNSHIPPED), "channels/amazon/amazon_getorderitems_unshipped_page2.json"
    )
    sync(api, channel)
    before = detail(api, channel, UNSHIPPED)["shipping_address"]
    blank = {"City": "SEATTLE", "StateOrRegion": "WA", "PostalCode": "98109-5210", "CountryCode": "US"}
    replace(
        platform, "GET", ORDERS, order_version(ShippingAddress=blank, LastUpdateDate="2026-11-22T08:30:00Z")
    )

    sync(api, channel)

    after = detail(api, channel, UNSHIPPED)["shipping_address"]
    assert after == before
    assert (after["name"], after["detail"], after["phone"]) == (
        "Jane Q. Doe",
        "410 Terry Ave N",
        "+12062661000",
    )
    assert Order.objects.get(external_id=UNSHIPPED).platform_updated_at == datetime(
        2026, 11, 22, 8, 30, tzinfo=UTC
    )


def test_a_throttled_page_backs_off_and_resumes_with_its_next_token(api, channel, platform):
    queue_recorded_window(platform)
    platform.routes[("GET", ORDERS)].clear()
    platform.add_fixture("GET", ORDERS, "channels/amazon/amazon_getorders_page1.json")
    platform.add_fixture(
        "GET",
        ORDERS,
        "channels/amazon/amazon_error_quota_exceeded.json",
        status=429,
        headers={"Content-Type": "application/json", "x-amzn-RateLimit-Limit": "0.0167"},
    )
    started = timezone.now()

    sync(api, channel)

    channel.refresh_from_db()
    assert channel.last_error == (
        "Amazon throttled /orders/v0/orders: QuotaExceeded: "
        "You exceeded your quota for the requested resource. (retry in 59 s)"
    )
    backoff_until = datetime.fromisoformat(channel.poll_cursor.pop("backoff_until"))
    assert started + timedelta(seconds=59) <= backoff_until <= timezone.now() + timedelta(seconds=60)
    assert channel.poll_cursor == {
        "last_updated_after": "2026-11-21T18:00:00Z",
        "next_token": NEXT_TOKEN,
        "window_before": "2026-11-22T05:58:00Z",
    }
    assert channel.status == "active"
    assert listed(api, channel) == {UNSHIPPED: "new", PENDING: "on_hold"}
    replace(platform, "GET", ORDERS, load("amazon_getorders_page2.json"))
    seen = len(platform.requests)

    sync(api, channel)

    assert platform.requests[seen].query == {"MarketplaceIds": ["ATVPDKIKX0DER"], "NextToken": [NEXT_TOKEN]}
    assert listed(api, channel) == {UNSHIPPED: "new", PENDING: "on_hold", CANCELED: "cancelled"}
    channel.refresh_from_db()
    assert (channel.poll_cursor, channel.last_error) == ({"last_updated_after": "2026-11-22T05:53:00Z"}, "")


def test_a_throttled_items_call_keeps_the_page_for_the_next_run(api, channel, platform):
    queue_recorded_window(platform)
    replace(
        platform,
        "GET",
        items_path(PENDING),
        load("amazon_error_quota_exceeded.json"),
        status=429,
        headers={"Content-Type": "application/json", "Retry-After": "2"},
    )

    sync(api, channel)

    channel.refresh_from_db()
    assert channel.last_error.endswith(
        "QuotaExceeded: You exceeded your quota for the requested resource. (retry in 2 s)"
    )
    assert {key: value for key, value in channel.poll_cursor.items() if key != "backoff_until"} == {
        "last_updated_after": "2026-11-21T18:00:00Z"
    }
    assert not Order.objects.exists()
    assert not InboundEvent.objects.exists()


def test_a_refused_refresh_token_puts_the_channel_in_error(api, channel, platform):
    platform.add_fixture("POST", TOKEN, "channels/amazon/lwa_invalid_grant.json", status=400)

    sync(api, channel)

    channel.refresh_from_db()
    assert channel.status == "error"
    assert channel.last_error == (
        "LWA token refused: invalid_grant: The request has an invalid grant parameter : refresh_token"
    )
    assert channel.poll_cursor == {"last_updated_after": "2026-11-21T18:00:00Z"}
    assert [r.path for r in platform.requests] == [TOKEN]
    assert not Order.objects.exists()
    body = api.get(f"/api/v1/channels/{channel.pk}/").json()
    assert (body["status"], body["last_error"]) == ("error", channel.last_error)


def test_fetch_order_reads_one_order_and_its_items(channel, platform):
    platform.add_fixture("POST", TOKEN, "channels/amazon/lwa_token.json")
    platform.add(
        "GET",
        f"{ORDERS}/{UNSHIPPED}",
        {"payload": load("amazon_getorders_page1.json")["payload"]["Orders"][0]},
    )
    platform.add_fixture(
        "GET", items_path(UNSHIPPED), "channels/amazon/amazon_getorderitems_unshipped_page1.json"
    )
    platform.add_fixture(
        "GET", items_path(UNSHIPPED), "channels/amazon/amazon_getorderitems_unshipped_page2.json"
    )

    order = ADAPTER.fetch_order(intake.account_view(channel), UNSHIPPED)

    assert order == UNSHIPPED_ORDER
