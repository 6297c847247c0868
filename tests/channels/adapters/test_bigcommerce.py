"""BigCommerce: thin Standard Webhooks replayed (the order read from the platform double), and the v2 poll."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels import intake
from channels.adapters.bigcommerce.adapter import ADAPTER
from channels.models import InboundEvent, InboundStatus
from channels.services import channel_create
from oms.catalog.services import product_create
from oms.orders.models import Order

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "bigcommerce"
META = json.loads((FIXTURES / "bigcommerce_store_order_created.meta.json").read_text())
SECRET = META["secret"]
STORE = "/stores/a1b2c3d4e5/v2"
SAMPLE_SENT_AT = datetime.fromtimestamp(int(META["headers"]["webhook-timestamp"]), UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def served(name: str) -> str:
    return f"channels/bigcommerce/{name}"


def headers_for(body: bytes, webhook_id: str, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    return {
        **META["headers"],
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{digest}",
    }


@pytest.fixture
def clock(monkeypatch):
    """BigCommerce's clock: ten seconds after the sample was sent."""
    now = {"at": SAMPLE_SENT_AT.timestamp() + 10}
    monkeypatch.setattr(ADAPTER, "clock", lambda: datetime.fromtimestamp(now["at"], UTC))
    return now


@pytest.fixture
def channel(merchant, platform):
    return channel_create(
        merchant=merchant,
        kind="bigcommerce",
        name="Acme Home",
        config={
            "store_hash": "a1b2c3d4e5",
            "access_token": "bc_test_access_token",
            "api_base_url": platform.url,
        },
        webhook_secret=SECRET,
    )


@pytest.fixture
def send(client, channel, django_capture_on_commit_callbacks):
    def post(body: bytes, headers: dict[str, str]):
        extra = {key: value for key, value in headers.items() if key.lower() != "content-type"}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                channel.webhook_path,
                data=body,
                content_type=headers.get("Content-Type", "application/json"),
                headers=extra,
            )

    return post


def serve_order(
    platform, order="bigcommerce_v2_order_get.json", addresses="bigcommerce_v2_order_shipping_addresses.json"
):
    platform.add_fixture("GET", f"{STORE}/orders/250", served(order))
    platform.add_fixture("GET", f"{STORE}/orders/250/products", served("bigcommerce_v2_order_products.json"))
    platform.add_fixture("GET", f"{STORE}/orders/250/shipping_addresses", served(addresses))


def only_order(api) -> dict:
    listing = api.get("/api/v1/orders/").json()
    assert listing["count"] == 1
    return api.get(f"/api/v1/orders/{listing['results'][0]['id']}/").json()


def test_the_sample_webhook_reads_the_order_and_files_it(send, api, merchant, channel, platform, clock):
    product_create(merchant=merchant, sku="PIL-LIN-SAGE-18", title="Linen Throw Pillow")
    product_create(merchant=merchant, sku="CAN-BEE-200", title="Beeswax Candle")
    serve_order(platform)

    response = send(fixture("bigcommerce_store_order_created.json"), META["headers"])

    assert response.status_code == 202
    assert [(r.method, r.path) for r in platform.requests] == [
        ("GET", f"{STORE}/orders/250"),
        ("GET", f"{STORE}/orders/250/products"),
        ("GET", f"{STORE}/orders/250/shipping_addresses"),
    ]
    assert {r.headers["X-Auth-Token"] for r in platform.requests} == {"bc_test_access_token"}
    assert platform.requests[1].query == {"page": ["1"], "limit": ["250"]}
    order = only_order(api)
    assert order["status"] not in ("on_hold", "cancelled")  # paid: accepted (allocation is inventory's)
    assert {key: order[key] for key in ("external_id", "external_number", "currency", "placed_at")} == {
        "external_id": "250",
        "external_number": "250",
        "currency": "USD",
        "placed_at": "2026-11-22T05:45:35Z",
    }
    assert [order[key] for key in ("subtotal", "shipping_total", "discount_total", "tax_total", "total")] == [
        "90.00",
        "8.50",
        "9.00",
        "7.43",
        "96.93",
    ]
    assert order["customer"] == {
        "name": "Priya Shah",
        "email": "priya.shah@example.com",
        "phone": "+17185550134",
    }
    address = order["shipping_address"]
    assert {
        key: address[key] for key in ("name", "phone", "country", "province", "city", "detail", "postal_code")
    } == {
        "name": "Priya Shah",
        "phone": "+17185550134",
        "country": "US",
        "province": "New York",
        "city": "Brooklyn",
        "detail": "55 Water St Suite 1400",
        "postal_code": "11201",
    }
    assert order["lines"] == [
        {
            "sku": "PIL-LIN-SAGE-18",
            "channel_sku": "PIL-LIN-SAGE-18",
            "title": "Linen Throw Pillow",
            "variant": "Colour: Sage, Size: 18 in",
            "quantity": 2,
            "unit_price": "30.00",
            "total": "60.00",
        },
        {
            "sku": "CAN-BEE-200",
            "channel_sku": "CAN-BEE-200",
            "title": "Beeswax Candle",
            "variant": "",
            "quantity": 1,
            "unit_price": "30.00",
            "total": "30.00",
        },
    ]
    assert order["note"] == "Leave with the doorman, please."
    assert [issue for issue in order["issues"] if issue["code"] != "insufficient_stock"] == []
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.external_event_id, event.topic) == (
        InboundStatus.PROCESSED,
        "msg_2pYx7Qe9LkV3s8N1rT4uW6zA0bC",
        "store/order/created",
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"webhook-signature": "v1,GhGVXzY+Jie6XEbigNPX4+Hm2LfZOt7OXHjSI5+nI04="}, id="wrong"),
        pytest.param({"webhook-signature": None}, id="missing"),
        pytest.param({"webhook-id": "msg_other"}, id="id-not-signed"),
        pytest.param({"webhook-timestamp": "1795326337"}, id="timestamp-not-signed"),
        pytest.param(
            {"webhook-signature": "v1a,GhGVXzY+Jie6XEbigNPX4+Hm2LfZOt7OXHjSI5+ni04="}, id="other-scheme"
        ),
    ],
)
def test_a_bad_or_missing_signature_is_rejected_and_nothing_is_fetched(
    send, channel, platform, clock, change
):
    headers = {**META["headers"], **change}
    headers = {key: value for key, value in headers.items() if value is not None}

    response = send(fixture("bigcommerce_store_order_created.json"), headers)

    assert response.status_code == 401
    assert not Order.objects.exists()
    assert platform.requests == []
    assert InboundEvent.objects.get(channel=channel).status == InboundStatus.REJECTED


@pytest.mark.parametrize(("seconds_later", "status"), [(299, 202), (301, 401), (-301, 401)])
def test_the_timestamp_must_be_within_five_minutes_either_way(send, platform, clock, seconds_later, status):
    serve_order(platform)
    clock["at"] = SAMPLE_SENT_AT.timestamp() + seconds_later

    response = send(fixture("bigcommerce_store_order_created.json"), META["headers"])

    assert response.status_code == status


def test_the_tolerance_is_configurable(send, channel, platform):
    channel.config = {**channel.config, "webhook_tolerance_seconds": 10 * 365 * 24 * 3600}
    channel.save()
    serve_order(platform)

    response = send(
        fixture("bigcommerce_store_order_created.json"), META["headers"]
    )  # real clock: days later

    assert response.status_code == 202
    assert Order.objects.count() == 1


def test_any_one_of_several_signatures_may_match(send, platform, clock):
    serve_order(platform)
    headers = {
        **META["headers"],
        "webhook-signature": "v1,b2xkIHNlY3JldA== " + META["headers"]["webhook-signature"],
    }

    response = send(fixture("bigcommerce_store_order_created.json"), headers)

    assert response.status_code == 202


def test_the_same_webhook_id_twice_files_one_order_and_reads_it_once(send, channel, platform, clock):
    serve_order(platform)
    body = fixture("bigcommerce_store_order_created.json")

    first = send(body, META["headers"])
    second = send(body, META["headers"])

    assert (first.status_code, second.status_code) == (202, 200)
    assert Order.objects.count() == 1
    assert len(platform.requests) == 3
    statuses = sorted(InboundEvent.objects.filter(channel=channel).values_list("status", flat=True))
    assert statuses == [InboundStatus.DUPLICATE, InboundStatus.PROCESSED]


def test_a_newer_version_changes_the_address_and_a_cancellation_cancels(send, api, platform, clock):
    serve_order(platform)
    send(fixture("bigcommerce_store_order_created.json"), META["headers"])
    platform.routes.clear()
    serve_order(
        platform,
        "bigcommerce_v2_order_get_updated.json",
        "bigcommerce_v2_order_shipping_addresses_updated.json",
    )
    updated = fixture("bigcommerce_store_order_updated.json")

    first = send(updated, headers_for(updated, "msg_upd_1", int(clock["at"])))
    address = only_order(api)["shipping_address"]
    platform.routes.clear()
    serve_order(
        platform,
        "bigcommerce_v2_order_get_cancelled.json",
        "bigcommerce_v2_order_shipping_addresses_updated.json",
    )
    status_updated = fixture("bigcommerce_store_order_status_updated.json")
    second = send(status_updated, headers_for(status_updated, "msg_status_1", int(clock["at"])))

    assert (first.status_code, second.status_code) == (202, 202)
    assert (address["detail"], address["postal_code"]) == ("200 Schermerhorn St Apt 7C", "11201")
    order = only_order(api)
    assert order["status"] == "cancelled"
    assert Order.objects.get().platform_status == "Cancelled"


def test_an_older_version_after_a_newer_one_changes_nothing(send, api, channel, platform, clock):
    serve_order(
        platform,
        "bigcommerce_v2_order_get_updated.json",
        "bigcommerce_v2_order_shipping_addresses_updated.json",
    )
    updated = fixture("bigcommerce_store_order_updated.json")
    send(updated, headers_for(updated, "msg_upd_1", int(clock["at"])))
    before = only_order(api)
    platform.routes.clear()
    serve_order(platform)  # the API lags behind and still answers the first version

    response = send(fixture("bigcommerce_store_order_created.json"), META["headers"])

    assert response.status_code == 202
    after = only_order(api)
    assert (after["shipping_address"], after["events"]) == (before["shipping_address"], before["events"])
    assert InboundEvent.objects.get(
        channel=channel, external_event_id=META["headers"]["webhook-id"]
    ).status == (InboundStatus.DUPLICATE)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"scope": "store/order/created"}'])
def test_a_body_that_is_not_a_bigcommerce_webhook_is_400_and_kept_as_failed(
    send, channel, platform, clock, body
):
    response = send(body, headers_for(body, "msg_junk", int(clock["at"])))

    assert response.status_code == 400
    assert not Order.objects.exists()
    assert platform.requests == []
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, bytes(event.body)) == (InboundStatus.FAILED, body)
    assert (
        intake.inbound_event_replay(merchant=channel.merchant, event_id=event.pk).status
        == InboundStatus.FAILED
    )


def test_polling_pages_orders_with_their_products_and_addresses(channel, platform):
    channel.config = {**channel.config, "page_limit": 2}
    channel.poll_cursor = {"min_date_modified": "2026-11-22T00:00:00+00:00"}
    channel.save()
    platform.add_fixture("GET", f"{STORE}/orders", served("bigcommerce_v2_orders_page1.json"))
    platform.add_fixture("GET", f"{STORE}/orders", served("bigcommerce_v2_orders_page2.json"))
    platform.add_fixture("GET", f"{STORE}/orders/250/products", served("bigcommerce_v2_order_products.json"))
    platform.add_fixture(
        "GET",
        f"{STORE}/orders/250/shipping_addresses",
        served("bigcommerce_v2_order_shipping_addresses.json"),
    )
    for order_id in (251, 252):
        for sub in ("products", "shipping_addresses"):
            platform.add_fixture(
                "GET",
                f"{STORE}/orders/{order_id}/{sub}",
                served(f"bigcommerce_v2_order_{order_id}_{sub}.json"),
            )

    pages = intake.channel_poll(channel_id=channel.pk)

    assert pages == 2
    listings = [r.query for r in platform.requests if r.path == f"{STORE}/orders"]
    assert listings == [
        {
            "min_date_modified": ["2026-11-22T00:00:00+00:00"],
            "sort": ["date_modified:asc"],
            "page": ["1"],
            "limit": ["2"],
        },
        {
            "min_date_modified": ["2026-11-22T00:00:00+00:00"],
            "sort": ["date_modified:asc"],
            "page": ["2"],
            "limit": ["2"],
        },
    ]
    assert {r.path for r in platform.requests} == {
        f"{STORE}/orders",
        *(f"{STORE}/orders/{n}/{sub}" for n in (250, 251, 252) for sub in ("products", "shipping_addresses")),
    }
    channel.refresh_from_db()
    assert channel.poll_cursor == {"min_date_modified": "2026-11-22T07:55:09+00:00"}  # newest − 5 minutes
    held = {
        number: status == "on_hold" for number, status in Order.objects.values_list("external_id", "status")
    }
    assert held == {"250": False, "251": True, "252": False}  # 251 is Awaiting Payment
    chinese = Order.objects.get(external_id="251")
    assert (chinese.currency, chinese.subtotal, chinese.shipping_total, chinese.discount_total) == (
        "CNY",
        200,
        12,
        20,
    )
    assert (chinese.tax_total, chinese.total, chinese.customer_phone) == (0, 192, "+8613800138000")
    address = chinese.shipping_address
    assert [address[key] for key in ("province", "city", "district", "detail", "region_code", "phone")] == [
        "广东省",
        "深圳市",
        "南山区",
        "科技园南区高新南一道 6 号 3 楼",
        "440305",
        "+8613800138000",
    ]
    assert [(line.sku, line.quantity, line.unit_price) for line in chinese.lines.all()] == [
        ("TEA-LJ-BOX", 2, 100)
    ]
    assert not chinese.issues.filter(code="total_mismatch").exists()
    stored = InboundEvent.objects.filter(channel=channel).order_by("received_at").first()
    assert (
        json.loads(bytes(stored.body))["orders"][0]
        == json.loads(fixture("bigcommerce_v2_orders_page1.json"))[0]
    )

    requests_before = len(platform.requests)
    intake.channel_poll(channel_id=channel.pk)
    assert platform.requests[requests_before].query["min_date_modified"] == ["2026-11-22T07:55:09+00:00"]
    assert platform.requests[requests_before].query["page"] == ["1"]
    assert Order.objects.count() == 3


def test_an_empty_poll_is_204_and_keeps_the_window(channel, platform):
    channel.poll_cursor = {"min_date_modified": "2026-11-22T00:00:00+00:00"}
    channel.save()
    platform.add("GET", f"{STORE}/orders", b"", status=204, headers={})

    assert intake.channel_poll(channel_id=channel.pk) == 1

    assert platform.requests[0].query["limit"] == ["50"]
    channel.refresh_from_db()
    assert channel.poll_cursor == {"min_date_modified": "2026-11-22T00:00:00+00:00"}
    assert channel.last_error == ""


def test_a_rate_limit_backs_off_without_losing_the_cursor(channel, platform):
    channel.poll_cursor = {"min_date_modified": "2026-11-22T00:00:00+00:00", "page": 4, "newest": ""}
    channel.save()
    platform.add(
        "GET",
        f"{STORE}/orders",
        {"status": 429, "title": "Too many requests"},
        status=429,
        headers={"Content-Type": "application/json", "X-Rate-Limit-Time-Reset-Ms": "15000"},
    )

    assert intake.channel_poll(channel_id=channel.pk) == 0

    channel.refresh_from_db()
    assert channel.last_error == "BigCommerce error 429 (retry in 15 s)"
    assert (channel.poll_cursor["min_date_modified"], channel.poll_cursor["page"]) == (
        "2026-11-22T00:00:00+00:00",
        4,
    )
    assert "backoff_until" in channel.poll_cursor
    assert not Order.objects.exists()


def test_an_api_outage_while_reading_the_order_keeps_the_event_for_a_retry(send, channel, platform, clock):
    platform.add("GET", f"{STORE}/orders/250", {"title": "Service Unavailable"}, status=503)

    response = send(fixture("bigcommerce_store_order_created.json"), META["headers"])

    assert response.status_code == 202
    assert not Order.objects.exists()
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.error) == (InboundStatus.RECEIVED, "will retry: BigCommerce error 503")


def test_manual_verification_holds_the_order_until_bigcommerce_clears_it(send, api, platform, clock):
    held = json.loads(fixture("bigcommerce_v2_order_get.json"))
    held.update(status_id=12, status="Manual Verification Required")
    cleared = json.loads(fixture("bigcommerce_v2_order_get_updated.json"))
    platform.add("GET", f"{STORE}/orders/250", held)
    platform.add("GET", f"{STORE}/orders/250", cleared)
    platform.add_fixture("GET", f"{STORE}/orders/250/products", served("bigcommerce_v2_order_products.json"))
    platform.add_fixture(
        "GET",
        f"{STORE}/orders/250/shipping_addresses",
        served("bigcommerce_v2_order_shipping_addresses.json"),
    )

    send(fixture("bigcommerce_store_order_created.json"), META["headers"])
    first = only_order(api)
    updated = fixture("bigcommerce_store_order_updated.json")
    send(updated, headers_for(updated, "msg_upd_1", int(clock["at"])))

    assert (first["status"], first["tags"]) == ("on_hold", ["platform_hold"])
    assert [(e["kind"], e["message"]) for e in first["events"] if e["kind"] == "held"] == [
        ("held", "Held by the platform")
    ]
    second = only_order(api)
    assert second["status"] not in ("on_hold", "cancelled")
    assert second["tags"] == []
