"""WooCommerce: real-shaped order webhooks (and the activation ping) replayed, and the orders API polled."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from channels import intake
from channels.adapters.woocommerce import mapping
from channels.models import InboundEvent, InboundStatus
from channels.services import channel_create
from oms.catalog.services import product_create
from oms.orders.models import Order

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "woocommerce"
META = json.loads((FIXTURES / "woocommerce_order_created_basic.meta.json").read_text())
PING = json.loads((FIXTURES / "woocommerce_webhook_ping.meta.json").read_text())
SECRET = META["secret"]
ORDERS_PATH = "/wp-json/wc/v3/orders"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def headers_for(body: bytes, topic: str, delivery_id: str, secret: str = SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    resource, event = topic.split(".")
    return {
        **META["headers"],
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Delivery-ID": delivery_id,
        "X-WC-Webhook-Signature": digest,
    }


@pytest.fixture
def channel(merchant, platform):
    return channel_create(
        merchant=merchant,
        kind="woocommerce",
        name="Tea shop",
        config={
            "site_url": "https://shop.example.com",
            "consumer_key": "ck_test_0123456789",
            "consumer_secret": "cs_test_9876543210",
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


def only_order(api) -> dict:
    listing = api.get("/api/v1/orders/").json()
    assert listing["count"] == 1
    return api.get(f"/api/v1/orders/{listing['results'][0]['id']}/").json()


def test_the_activation_ping_is_answered_200_and_not_stored(send, channel):
    response = send(PING["raw_body"].encode(), PING["headers"])

    assert response.status_code == 200
    assert not InboundEvent.objects.exists()
    assert not Order.objects.exists()


def test_the_sample_webhook_is_accepted_and_files_the_order(send, api, merchant, channel):
    product_create(merchant=merchant, sku="TEA-GRN-100", title="Organic Green Tea 100g")

    response = send(fixture("woocommerce_order_created_basic.json"), META["headers"])

    assert response.status_code == 202
    order = only_order(api)
    assert order["status"] not in ("on_hold", "cancelled")  # paid: accepted (allocation is inventory's)
    assert {key: order[key] for key in ("external_id", "external_number", "currency", "placed_at")} == {
        "external_id": "4821",
        "external_number": "4821",
        "currency": "USD",
        "placed_at": "2026-11-21T17:30:05Z",
    }
    assert [order[key] for key in ("subtotal", "shipping_total", "discount_total", "tax_total", "total")] == [
        "49.00",
        "5.00",
        "0.00",
        "4.90",
        "58.90",
    ]
    assert order["customer"] == {
        "name": "Carlos Rivera",
        "email": "carlos.rivera@example.com",
        "phone": "+15415550199",
    }
    assert order["shipping_address"] == {
        "name": "Carlos Rivera",
        "phone": "+15415550199",
        "country": "US",
        "province": "OR",
        "province_code": "OR",
        "city": "Springfield",
        "district": "",
        "detail": "742 Evergreen Terrace",
        "postal_code": "97477",
        "region_code": "",
    }
    assert order["lines"] == [
        {
            "sku": "TEA-GRN-100",
            "channel_sku": "TEA-GRN-100",
            "title": "Organic Green Tea 100g",
            "variant": "",
            "quantity": 2,
            "unit_price": "24.50",
            "total": "49.00",
        }
    ]
    assert [issue for issue in order["issues"] if issue["code"] != "insufficient_stock"] == []
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.external_event_id, event.topic) == (
        InboundStatus.PROCESSED,
        "5d41402abc4b2a76b9719d911017c592",
        "order.created",
    )


def test_a_chinese_order_maps_the_state_code_and_finds_the_district(send, api):
    body = fixture("woocommerce_order_created_cn.json")

    response = send(body, headers_for(body, "order.created", "9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d"))

    assert response.status_code == 202
    order = only_order(api)
    assert (order["external_number"], order["currency"], order["placed_at"]) == (
        "4907",
        "CNY",
        "2026-11-22T02:10:00Z",
    )
    assert [order[key] for key in ("subtotal", "shipping_total", "discount_total", "tax_total", "total")] == [
        "65.00",
        "10.00",
        "4.00",
        "0.00",
        "71.00",
    ]
    assert order["customer"] == {"name": "李娜", "email": "li.na@example.cn", "phone": "+8613788889999"}
    assert order["shipping_address"] == {
        "name": "李娜",
        "phone": "+8613788889999",
        "country": "CN",
        "province": "上海市",
        "province_code": "CN10",
        "city": "上海市",
        "district": "徐汇区",
        "detail": "漕溪北路 398 号",
        "postal_code": "200030",
        "region_code": "310104",
    }
    assert [
        (
            line["sku"],
            line["channel_sku"],
            line["title"],
            line["variant"],
            line["quantity"],
            line["unit_price"],
        )
        for line in order["lines"]
    ] == [
        ("TEA-JAS-50", "TEA-JAS-50", "Jasmine Tea 50g", "", 3, "13.33"),
        ("1302", "1302", "Tea Cup", "White", 1, "25.00"),
    ]
    assert [line["total"] for line in order["lines"]] == ["40.00", "25.00"]
    assert order["note"] == "请工作日送货"
    assert sorted(issue["code"] for issue in order["issues"]) == [
        "unknown_sku",
        "unknown_sku",
    ]  # no total_mismatch


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("TWFef1ZOy7Sa6AG9kfcQ8Md0stieYIXhjvQ+ka8TVXQ=", id="wrong"),
        pytest.param(None, id="missing"),
    ],
)
def test_a_bad_or_missing_signature_is_rejected_and_kept(send, channel, signature):
    headers = dict(META["headers"])
    if signature is None:
        del headers["X-WC-Webhook-Signature"]
    else:
        headers["X-WC-Webhook-Signature"] = signature

    response = send(fixture("woocommerce_order_created_basic.json"), headers)

    assert response.status_code == 401
    assert not Order.objects.exists()
    assert InboundEvent.objects.get(channel=channel).status == InboundStatus.REJECTED


def test_the_same_delivery_id_twice_files_one_order(send, channel):
    body = fixture("woocommerce_order_created_basic.json")

    first = send(body, META["headers"])
    second = send(body, META["headers"])

    assert (first.status_code, second.status_code) == (202, 200)
    assert Order.objects.count() == 1
    statuses = sorted(InboundEvent.objects.filter(channel=channel).values_list("status", flat=True))
    assert statuses == [InboundStatus.DUPLICATE, InboundStatus.PROCESSED]


def test_a_newer_update_changes_the_address_and_a_cancellation_cancels(send, api):
    send(fixture("woocommerce_order_created_basic.json"), META["headers"])
    updated = fixture("woocommerce_order_updated_address.json")
    cancelled = fixture("woocommerce_order_updated_cancelled.json")

    first = send(updated, headers_for(updated, "order.updated", "d1"))
    address = only_order(api)["shipping_address"]
    second = send(cancelled, headers_for(cancelled, "order.updated", "d2"))

    assert (first.status_code, second.status_code) == (202, 202)
    assert (address["detail"], address["city"], address["postal_code"]) == (
        "1600 Pennsylvania Ave Unit 3",
        "Eugene",
        "97401",
    )
    assert only_order(api)["status"] == "cancelled"
    assert Order.objects.get().platform_status == "cancelled"


def test_an_older_update_after_a_newer_one_changes_nothing(send, api, channel):
    cancelled = fixture("woocommerce_order_updated_cancelled.json")
    send(cancelled, headers_for(cancelled, "order.updated", "d2"))
    before = only_order(api)
    older = fixture("woocommerce_order_updated_address.json")

    response = send(older, headers_for(older, "order.updated", "d1-late"))

    assert response.status_code == 202
    after = only_order(api)
    assert (after["status"], after["shipping_address"], after["events"]) == (
        "cancelled",
        before["shipping_address"],
        before["events"],
    )
    assert (
        InboundEvent.objects.get(channel=channel, external_event_id="d1-late").status
        == InboundStatus.DUPLICATE
    )


@pytest.mark.parametrize(
    "body", [b"webhook_id=12&extra=1", b"<xml/>", b'{"action": "woocommerce_new_order"}']
)
def test_a_body_that_is_not_a_woocommerce_order_is_400_and_kept_as_failed(send, channel, body):
    response = send(body, headers_for(body, "order.created", "junk-1"))

    assert response.status_code == 400
    assert not Order.objects.exists()
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, bytes(event.body)) == (InboundStatus.FAILED, body)
    assert (
        intake.inbound_event_replay(merchant=channel.merchant, event_id=event.pk).status
        == InboundStatus.FAILED
    )


def test_polling_pages_until_the_total_pages_and_keeps_the_cursor(channel, platform):
    platform.add_fixture(
        "GET",
        ORDERS_PATH,
        "channels/woocommerce/woocommerce_orders_page1.json",
        headers={"Content-Type": "application/json", "X-WP-Total": "3", "X-WP-TotalPages": "2"},
    )
    platform.add_fixture(
        "GET",
        ORDERS_PATH,
        "channels/woocommerce/woocommerce_orders_page2.json",
        headers={"Content-Type": "application/json", "X-WP-Total": "3", "X-WP-TotalPages": "2"},
    )
    channel.poll_cursor = {"modified_after": "2026-11-21T00:00:00+00:00"}
    channel.save()

    pages = intake.channel_poll(channel_id=channel.pk)

    assert pages == 2
    common = {"dates_are_gmt": ["true"], "orderby": ["modified"], "order": ["asc"], "per_page": ["100"]}
    assert [r.query for r in platform.requests] == [
        {"modified_after": ["2026-11-21T00:00:00"], **common, "page": ["1"]},
        {"modified_after": ["2026-11-21T00:00:00"], **common, "page": ["2"]},
    ]
    expected_auth = "Basic " + base64.b64encode(b"ck_test_0123456789:cs_test_9876543210").decode()
    assert {r.headers["Authorization"] for r in platform.requests} == {expected_auth}
    channel.refresh_from_db()
    assert channel.poll_cursor == {"modified_after": "2026-11-22T18:55:03+00:00"}  # newest − 5 minutes
    held = {
        number: status == "on_hold"
        for number, status in Order.objects.values_list("external_number", "status")
    }
    assert held == {
        "4821": False,
        "4907": False,
        "4999": True,
    }  # on-hold in WooCommerce: awaiting the transfer

    assert intake.channel_poll(channel_id=channel.pk) == 2
    assert platform.requests[2].query["modified_after"] == ["2026-11-22T18:55:03"]
    assert platform.requests[2].query["page"] == ["1"]
    assert Order.objects.count() == 3


def test_a_rate_limit_backs_off_without_losing_the_cursor(channel, platform):
    platform.add(
        "GET",
        ORDERS_PATH,
        {"code": "too_many_requests", "message": "Too many requests", "data": {"status": 429}},
        status=429,
        headers={"Content-Type": "application/json", "Retry-After": "30"},
    )
    channel.poll_cursor = {"modified_after": "2026-11-21T00:00:00+00:00", "page": 3, "newest": ""}
    channel.save()

    assert intake.channel_poll(channel_id=channel.pk) == 0

    channel.refresh_from_db()
    assert channel.last_error == "WooCommerce error 429 (retry in 30 s)"
    assert (channel.poll_cursor["modified_after"], channel.poll_cursor["page"]) == (
        "2026-11-21T00:00:00+00:00",
        3,
    )
    assert "backoff_until" in channel.poll_cursor
    assert platform.requests[0].query["page"] == ["3"]


def test_the_float_line_price_is_not_used():
    order = json.loads(fixture("woocommerce_order_created_cn.json"), parse_float=Decimal)
    order["line_items"][0].update(total="40.00", price=Decimal("13.333333333333334"))

    line = mapping.order_from_woocommerce(order).lines[0]

    assert (line.unit_price * line.quantity).quantize(Decimal("0.01")) == Decimal("40.00")
    assert line.total == Decimal("40.00")


@pytest.mark.parametrize(
    ("status", "payment_pending", "cancelled"),
    [
        ("pending", True, False),
        ("on-hold", True, False),
        ("processing", False, False),
        ("completed", False, False),
        ("cancelled", False, True),
        ("refunded", False, True),
        ("failed", True, False),
    ],
)
def test_statuses(status, payment_pending, cancelled):
    order = json.loads(fixture("woocommerce_order_created_basic.json"), parse_float=Decimal)
    order["status"] = status

    mapped = mapping.order_from_woocommerce(order)

    assert (mapped.payment_pending, mapped.cancelled, mapped.platform_status) == (
        payment_pending,
        cancelled,
        status,
    )
    assert mapped.platform_updated_at == datetime(2026, 11, 21, 17, 30, 12, tzinfo=UTC)
