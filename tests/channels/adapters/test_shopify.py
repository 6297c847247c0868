"""Shopify: real-shaped orders webhooks replayed against the endpoint, the orders API polled on the double."""

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
from channels.adapters.shopify import mapping
from channels.models import InboundEvent, InboundStatus
from channels.services import channel_create
from oms.catalog.services import product_create
from oms.orders.models import Order

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "shopify"
META = json.loads((FIXTURES / "shopify_orders_create_basic.meta.json").read_text())
SECRET = META["secret"]
ORDERS_PATH = "/admin/api/2026-04/orders.json"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def headers_for(body: bytes, topic: str, webhook_id: str, secret: str = SECRET) -> dict[str, str]:
    """The sample's headers for another body: its own topic, webhook id and signature."""
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        **META["headers"],
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Hmac-Sha256": digest,
    }


@pytest.fixture
def channel(merchant, platform):
    return channel_create(
        merchant=merchant,
        kind="shopify",
        name="Acme Apparel",
        config={
            "shop_domain": "acme-apparel-test.myshopify.com",
            "access_token": "shpat_test_token",
            "api_version": "2026-04",
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


def test_the_sample_webhook_is_accepted_and_files_the_order(send, api, merchant, channel):
    product_create(merchant=merchant, sku="TEE-CREW-NVY-M", title="Classic Crew Tee")

    response = send(fixture("shopify_orders_create_basic.json"), META["headers"])

    assert response.status_code == 202
    order = only_order(api)
    assert order["status"] not in ("on_hold", "cancelled")  # paid: accepted (allocation is inventory's)
    assert {key: order[key] for key in ("external_id", "external_number", "currency", "placed_at")} == {
        "external_id": "6512345678901",
        "external_number": "#1042",
        "currency": "USD",
        "placed_at": "2026-11-20T15:15:32Z",
    }
    assert [order[key] for key in ("subtotal", "shipping_total", "discount_total", "tax_total", "total")] == [
        "54.00",
        "6.00",
        "0.00",
        "4.79",
        "64.79",
    ]
    assert order["customer"] == {"name": "Jane Doe", "email": "jane.doe@example.com", "phone": "+12125550142"}
    assert order["shipping_address"] == {
        "name": "Jane Doe",
        "phone": "+12125550142",
        "country": "US",
        "province": "New York",
        "province_code": "NY",
        "city": "New York",
        "district": "",
        "detail": "350 5th Ave Apt 12B",
        "postal_code": "10118",
        "region_code": "",
    }
    assert order["lines"] == [
        {
            "sku": "TEE-CREW-NVY-M",
            "channel_sku": "TEE-CREW-NVY-M",
            "title": "Classic Crew Tee",
            "variant": "Navy / M",
            "quantity": 2,
            "unit_price": "27.00",
            "total": "54.00",
        }
    ]
    assert [issue for issue in order["issues"] if issue["code"] != "insufficient_stock"] == []
    event = InboundEvent.objects.get(channel=channel)
    assert (event.status, event.external_event_id, event.topic) == (
        InboundStatus.PROCESSED,
        "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "orders/create",
    )
    assert bytes(event.body) == fixture("shopify_orders_create_basic.json")


def test_a_chinese_order_with_included_tax_discounts_and_no_sku(send, api):
    body = fixture("shopify_orders_create_cn.json")

    response = send(body, headers_for(body, "orders/create", "0b6c5c4e-cn-1055"))

    assert response.status_code == 202
    order = only_order(api)
    assert (order["external_number"], order["currency"]) == ("#1055", "CNY")
    assert [order[key] for key in ("subtotal", "shipping_total", "discount_total", "tax_total", "total")] == [
        "266.00",
        "12.00",
        "25.60",
        "0.00",
        "252.40",
    ]
    assert order["customer"] == {"name": "张伟", "email": "wei.zhang@example.cn", "phone": "+8613800138000"}
    assert order["shipping_address"] == {
        "name": "张伟",
        "phone": "+8613800138000",
        "country": "CN",
        "province": "广东省",
        "province_code": "GD",
        "city": "深圳市",
        "district": "南山区",
        "detail": "科技园南区高新南一道 6 号 3 楼",
        "postal_code": "518057",
        "region_code": "440305",
    }
    assert [
        (line["sku"], line["channel_sku"], line["quantity"], line["unit_price"]) for line in order["lines"]
    ] == [
        ("TEA-LJ-250", "TEA-LJ-250", 2, "128.00"),
        ("50398373099999", "50398373099999", 1, "10.00"),
    ]
    assert order["tags"] == ["VIP", "双十一"]
    assert order["note"] == "工作日送货，谢谢"
    assert sorted(issue["code"] for issue in order["issues"]) == ["unknown_sku", "unknown_sku"]


@pytest.mark.parametrize(
    "signature",
    [pytest.param("bm90IHRoZSByaWdodCBzaWduYXR1cmU=", id="wrong"), pytest.param(None, id="missing")],
)
def test_a_bad_or_missing_signature_is_rejected_and_kept(send, channel, signature):
    headers = dict(META["headers"])
    if signature is None:
        del headers["X-Shopify-Hmac-Sha256"]
    else:
        headers["X-Shopify-Hmac-Sha256"] = signature

    response = send(fixture("shopify_orders_create_basic.json"), headers)

    assert response.status_code == 401
    assert not Order.objects.exists()
    event = InboundEvent.objects.get(channel=channel)
    assert event.status == InboundStatus.REJECTED


def test_a_body_signed_with_another_secret_is_rejected(send):
    body = fixture("shopify_orders_create_basic.json")

    response = send(body, headers_for(body, "orders/create", "x-1", secret="shpss_someone_else"))

    assert response.status_code == 401
    assert not Order.objects.exists()


def test_the_same_webhook_id_twice_files_one_order(send, channel):
    body = fixture("shopify_orders_create_basic.json")

    first = send(body, META["headers"])
    second = send(body, META["headers"])

    assert (first.status_code, second.status_code) == (202, 200)
    assert Order.objects.count() == 1
    statuses = sorted(InboundEvent.objects.filter(channel=channel).values_list("status", flat=True))
    assert statuses == [InboundStatus.DUPLICATE, InboundStatus.PROCESSED]


def test_a_newer_update_changes_the_address_and_a_cancellation_cancels(send, api):
    send(fixture("shopify_orders_create_basic.json"), META["headers"])
    updated = fixture("shopify_orders_updated_address.json")
    cancelled = fixture("shopify_orders_cancelled.json")

    first = send(updated, headers_for(updated, "orders/updated", "upd-1"))
    address = only_order(api)["shipping_address"]
    second = send(cancelled, headers_for(cancelled, "orders/cancelled", "cancel-1"))

    assert (first.status_code, second.status_code) == (202, 202)
    assert (address["detail"], address["postal_code"], address["city"]) == (
        "1 World Trade Center Fl 64",
        "10007",
        "New York",
    )
    order = only_order(api)
    assert order["status"] == "cancelled"
    assert Order.objects.get().platform_updated_at == datetime(2026, 11, 20, 17, 0, 1, tzinfo=UTC)


def test_an_older_update_after_a_newer_one_changes_nothing(send, api, channel):
    updated = fixture("shopify_orders_updated_address.json")
    send(updated, headers_for(updated, "orders/updated", "upd-1"))
    before = only_order(api)
    older = fixture("shopify_orders_create_basic.json")

    response = send(older, headers_for(older, "orders/updated", "late-1"))

    assert response.status_code == 202
    after = only_order(api)
    assert after["shipping_address"] == before["shipping_address"]
    assert after["events"] == before["events"]
    assert (
        InboundEvent.objects.get(channel=channel, external_event_id="late-1").status
        == InboundStatus.DUPLICATE
    )


@pytest.mark.parametrize("body", [b"<html>not json</html>", b"[1, 2]", b'{"hello": "world"}'])
def test_a_body_that_is_not_a_shopify_order_is_400_and_kept_as_failed(send, channel, body):
    response = send(body, headers_for(body, "orders/create", "junk-1"))

    assert response.status_code == 400
    assert not Order.objects.exists()
    event = InboundEvent.objects.get(channel=channel)
    assert event.status == InboundStatus.FAILED
    assert bytes(event.body) == body
    replayed = intake.inbound_event_replay(merchant=channel.merchant, event_id=event.pk)
    assert replayed.status == InboundStatus.FAILED


def test_an_order_edit_reads_the_order_from_the_api(send, api, platform):
    platform.add_fixture(
        "GET", "/admin/api/2026-04/orders/6512345678901.json", "channels/shopify/shopify_order_get.json"
    )
    body = json.dumps({"order_edit": {"id": 98765, "order_id": 6512345678901, "app_id": None}}).encode()

    response = send(body, headers_for(body, "orders/edited", "edit-1"))

    assert response.status_code == 202
    assert only_order(api)["shipping_address"]["postal_code"] == "10007"
    assert platform.requests[0].headers["X-Shopify-Access-Token"] == "shpat_test_token"


def test_polling_pages_by_link_header_and_keeps_the_cursor(channel, platform, api):
    next_link = f'<{platform.url}{ORDERS_PATH}?limit=250&page_info=eyJsYXN0X2lkIjo2NTF9>; rel="next"'
    platform.add_fixture(
        "GET",
        ORDERS_PATH,
        "channels/shopify/shopify_orders_page1.json",
        headers={"Content-Type": "application/json", "Link": next_link},
    )
    platform.add_fixture("GET", ORDERS_PATH, "channels/shopify/shopify_orders_page2.json")
    channel.poll_cursor = {"updated_at_min": "2026-11-20T00:00:00+00:00"}
    channel.save()

    pages = intake.channel_poll(channel_id=channel.pk)

    assert pages == 2
    assert [r.query for r in platform.requests] == [
        {"status": ["any"], "updated_at_min": ["2026-11-20T00:00:00+00:00"], "limit": ["250"]},
        {"limit": ["250"], "page_info": ["eyJsYXN0X2lkIjo2NTF9"]},
    ]
    assert {r.headers["X-Shopify-Access-Token"] for r in platform.requests} == {"shpat_test_token"}
    channel.refresh_from_db()
    assert channel.poll_cursor == {"updated_at_min": "2026-11-21T12:55:02+00:00"}  # newest − 5 minutes
    assert channel.last_error == ""
    held = {
        number: status == "on_hold"
        for number, status in Order.objects.values_list("external_number", "status")
    }
    assert held == {"#1042": False, "#1055": False, "#1077": True}  # #1077 is still unpaid

    assert intake.channel_poll(channel_id=channel.pk) == 1
    assert platform.requests[2].query["updated_at_min"] == ["2026-11-21T12:55:02+00:00"]
    assert Order.objects.count() == 3


def test_a_rate_limit_backs_off_without_losing_the_cursor(channel, platform):
    platform.add(
        "GET",
        ORDERS_PATH,
        {"errors": "Exceeded 2 calls per second for api client. Reduce request rates."},
        status=429,
        headers={"Content-Type": "application/json", "Retry-After": "2.0"},
    )
    channel.poll_cursor = {"updated_at_min": "2026-11-20T00:00:00+00:00"}
    channel.save()

    assert intake.channel_poll(channel_id=channel.pk) == 0

    channel.refresh_from_db()
    assert channel.last_error == "Shopify rate limit (429) (retry in 2 s)"
    assert channel.poll_cursor["updated_at_min"] == "2026-11-20T00:00:00+00:00"
    assert "backoff_until" in channel.poll_cursor
    assert channel.status == "active"
    assert not Order.objects.exists()


def test_the_first_poll_looks_back_a_day_from_the_clock(channel, platform, monkeypatch):
    from channels.adapters.shopify.adapter import ADAPTER

    monkeypatch.setattr(ADAPTER, "clock", lambda: datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    platform.add("GET", ORDERS_PATH, {"orders": []})

    intake.channel_poll(channel_id=channel.pk)

    assert platform.requests[0].query["updated_at_min"] == ["2026-11-25T12:00:00+00:00"]
    channel.refresh_from_db()
    assert channel.poll_cursor == {"updated_at_min": "2026-11-25T12:00:00+00:00"}


def test_protected_customer_data_and_a_pos_order_map_to_empty_contact():
    order = json.loads(fixture("shopify_orders_create_basic.json"), parse_float=Decimal)
    order.update(customer=None, shipping_address=None, billing_address=None, email=None, phone=None)
    order["contact_email"] = None
    order["line_items"][0].update(sku="", variant_id=None)
    order["shipping_lines"] = []

    mapped = mapping.order_from_shopify(order)

    assert mapped.customer == {"name": "", "email": "", "phone": ""}
    assert mapped.shipping_address == {}
    assert (mapped.lines[0].sku, mapped.lines[0].channel_sku) == ("", "")
    assert mapped.shipping_total == Decimal("6.00")  # from total_shipping_price_set when no shipping line


def test_pending_and_authorized_payments_wait():
    order = json.loads(fixture("shopify_orders_create_basic.json"), parse_float=Decimal)
    states = {}
    for status in ("pending", "authorized", "paid", "partially_paid", "refunded"):
        order["financial_status"] = status
        states[status] = mapping.order_from_shopify(order).payment_pending
    assert states == {
        "pending": True,
        "authorized": True,
        "paid": False,
        "partially_paid": False,
        "refunded": False,
    }
