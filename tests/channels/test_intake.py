"""Loss-proof intake: raw events stored first, processed idempotently, swept when lost, replayable."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from channels import intake
from channels.models import ChannelAccount, InboundEvent, InboundStatus
from channels.services import channel_create, sku_mapping_set
from oms.catalog.services import product_create
from oms.orders.models import Order


def sandbox_page(orders: list[dict]) -> bytes:
    return json.dumps({"orders": orders, "serial": 1}, ensure_ascii=False).encode()


def sandbox_order(
    external_id: str = "SBX-1",
    sku: str = "TEA-1",
    updated: str = "2026-11-11T10:00:00+08:00",
    status: str = "paid",
    district: str = "南山区",
) -> dict:
    return {
        "id": external_id,
        "created": "2026-11-11T09:00:00+08:00",
        "updated": updated,
        "status": status,
        "buyer": {"first_name": "丽", "last_name": "张", "mobile": "13800138000"},
        "address": {"province": "广东", "city": "深圳", "district": district, "street": "科技园南区 8 栋"},
        "items": [{"sku": sku, "title": "Tea", "qty": 2, "price": "39.00"}],
        "shipping": "8.00",
    }


@pytest.fixture
def sandbox(merchant) -> ChannelAccount:
    return channel_create(merchant=merchant, kind="sandbox", name="Sandbox", config={"orders_per_poll": 2})


def store_event(channel: ChannelAccount, body: bytes, **fields) -> InboundEvent:
    return InboundEvent.objects.create(
        merchant=channel.merchant,
        channel=channel,
        source="sandbox",
        body=body,
        received_at=timezone.now(),
        **fields,
    )


def test_an_event_is_normalized_into_the_standard_order(sandbox):
    product_create(merchant=sandbox.merchant, sku="TEA-1", title="Tea")
    event = store_event(sandbox, sandbox_page([sandbox_order()]))

    processed = intake.inbound_event_process(event_id=event.pk)

    assert processed.status == InboundStatus.PROCESSED
    order = Order.objects.get(pk=processed.order_ids[0])
    assert (order.external_id, order.customer_name, order.customer_phone) == (
        "SBX-1",
        "张丽",
        "+8613800138000",
    )
    assert {k: order.shipping_address[k] for k in ("province", "city", "district", "region_code")} == {
        "province": "广东省",
        "city": "深圳市",
        "district": "南山区",
        "region_code": "440305",
    }
    assert str(order.total) == "86.00"
    assert list(order.issues.values_list("code", flat=True)) == []


def test_processing_twice_files_the_order_once_and_marks_the_repeat_duplicate(sandbox):
    body = sandbox_page([sandbox_order()])
    first = intake.inbound_event_process(event_id=store_event(sandbox, body).pk)
    again = intake.inbound_event_process(event_id=store_event(sandbox, body).pk)

    assert first.status == InboundStatus.PROCESSED
    assert again.status == InboundStatus.DUPLICATE
    assert again.order_ids == first.order_ids
    assert Order.objects.filter(channel=sandbox).count() == 1


def test_a_newer_version_updates_and_an_older_one_never_overwrites(sandbox):
    intake.inbound_event_process(event_id=store_event(sandbox, sandbox_page([sandbox_order()])).pk)
    newer = sandbox_order(updated="2026-11-11T12:00:00+08:00", district="福田区")
    older = sandbox_order(updated="2026-11-11T11:00:00+08:00", district="罗湖区")

    intake.inbound_event_process(event_id=store_event(sandbox, sandbox_page([newer])).pk)
    stale = intake.inbound_event_process(event_id=store_event(sandbox, sandbox_page([older])).pk)

    order = Order.objects.get(channel=sandbox)
    assert order.shipping_address["district"] == "福田区"
    assert order.region_code == "440304"
    assert stale.status == InboundStatus.DUPLICATE
    assert list(order.events.values_list("kind", flat=True)) == ["created", "address_changed"]


def test_a_cancellation_on_the_platform_cancels_the_order(sandbox):
    intake.inbound_event_process(event_id=store_event(sandbox, sandbox_page([sandbox_order()])).pk)
    cancelled = sandbox_order(updated="2026-11-11T12:00:00+08:00", status="cancelled")

    intake.inbound_event_process(event_id=store_event(sandbox, sandbox_page([cancelled])).pk)

    order = Order.objects.get(channel=sandbox)
    assert order.status == "cancelled"
    assert order.events.get(kind="cancelled").reason == "cancelled on the platform"


def test_an_unpaid_order_waits_on_hold_and_is_released_when_paid(sandbox):
    intake.inbound_event_process(
        event_id=store_event(sandbox, sandbox_page([sandbox_order(status="unpaid")])).pk
    )
    order = Order.objects.get(channel=sandbox)
    assert (order.status, order.tags) == ("on_hold", ["awaiting_payment"])

    paid = sandbox_order(updated="2026-11-11T12:00:00+08:00", status="paid")
    intake.inbound_event_process(event_id=store_event(sandbox, sandbox_page([paid])).pk)

    order.refresh_from_db()
    assert (order.status, order.tags) == ("new", [])


def test_a_body_that_cannot_be_parsed_is_kept_failed_and_replayable(sandbox, api):
    event = store_event(sandbox, b"{not json")

    failed = intake.inbound_event_process(event_id=event.pk)

    assert failed.status == InboundStatus.FAILED
    assert "JSONDecodeError" in failed.error
    assert bytes(failed.body) == b"{not json"
    listed = api.get(f"/api/v1/inbound-events/?status=failed&channel={sandbox.pk}").json()
    assert [row["id"] for row in listed["results"]] == [str(event.pk)]
    assert listed["results"][0]["body"] == "{not json"
    InboundEvent.objects.filter(pk=event.pk).update(body=sandbox_page([sandbox_order()]))  # the cause fixed
    replayed = api.post(f"/api/v1/inbound-events/{event.pk}/replay/").json()
    assert replayed["status"] == "processed"
    assert Order.objects.filter(channel=sandbox).count() == 1


def test_fixing_a_sku_mapping_then_replaying_fixes_the_order(sandbox, api):
    product_create(merchant=sandbox.merchant, sku="TEA-LONGJING-250", title="Longjing")
    event = store_event(sandbox, sandbox_page([sandbox_order(sku="PLATFORM-SKU-9")]))
    intake.inbound_event_process(event_id=event.pk)
    order = Order.objects.get(channel=sandbox)
    assert list(order.issues.filter(resolved_at__isnull=True).values_list("code", flat=True)) == [
        "unknown_sku"
    ]

    created = api.post(
        "/api/v1/sku-mappings/",
        {"channel": str(sandbox.pk), "channel_sku": "PLATFORM-SKU-9", "sku": "TEA-LONGJING-250"},
        format="json",
    )
    assert created.status_code == 201
    assert api.post(f"/api/v1/inbound-events/{event.pk}/replay/").status_code == 200

    line = order.lines.get()
    assert (line.sku, line.channel_sku, line.product.sku) == (
        "TEA-LONGJING-250",
        "PLATFORM-SKU-9",
        "TEA-LONGJING-250",
    )
    assert not order.issues.filter(resolved_at__isnull=True).exists()
    assert "lines_changed" in order.events.values_list("kind", flat=True)


def test_equal_codes_match_without_a_mapping(sandbox):
    product_create(merchant=sandbox.merchant, sku="TEA-1", title="Tea")
    sku_mapping_set(merchant=sandbox.merchant, channel=sandbox, channel_sku="OTHER", sku="TEA-1")

    intake.inbound_event_process(event_id=store_event(sandbox, sandbox_page([sandbox_order(sku="TEA-1")])).pk)

    assert Order.objects.get(channel=sandbox).lines.get().product is not None


def test_sweep_reenqueues_events_whose_task_was_lost(sandbox):
    lost = store_event(sandbox, sandbox_page([sandbox_order()]))
    InboundEvent.objects.filter(pk=lost.pk).update(received_at=timezone.now() - timedelta(minutes=2))
    fresh = store_event(sandbox, sandbox_page([sandbox_order("SBX-2")]))

    swept = intake.inbound_sweep()

    assert swept == 1
    assert InboundEvent.objects.get(pk=lost.pk).status == InboundStatus.PROCESSED
    assert InboundEvent.objects.get(pk=fresh.pk).status == InboundStatus.RECEIVED


def test_polling_stores_each_page_and_advances_the_cursor(sandbox, api):
    product_create(merchant=sandbox.merchant, sku="TEA-1", title="Tea")

    first = api.post(f"/api/v1/channels/{sandbox.pk}/sync/")
    ChannelAccount.objects.filter(pk=sandbox.pk).update(last_sync_at=None)
    second = api.post(f"/api/v1/channels/{sandbox.pk}/sync/")

    assert first.status_code == second.status_code == 202
    sandbox.refresh_from_db()
    assert sandbox.poll_cursor == {"serial": 5}
    assert sandbox.last_sync_at is not None and sandbox.last_error == ""
    events = InboundEvent.objects.filter(channel=sandbox).order_by("received_at")
    assert [e.status for e in events] == ["processed", "processed"]
    assert Order.objects.filter(channel=sandbox).count() == 4
    assert second.json()["last_sync_at"] is not None


def test_poll_due_respects_interval_and_backoff(sandbox):
    assert intake.channel_poll_due() == [str(sandbox.pk)]
    ChannelAccount.objects.filter(pk=sandbox.pk).update(last_sync_at=timezone.now())
    assert intake.channel_poll_due() == []
    ChannelAccount.objects.filter(pk=sandbox.pk).update(
        last_sync_at=None, poll_cursor={"backoff_until": (timezone.now() + timedelta(minutes=5)).isoformat()}
    )
    assert intake.channel_poll_due() == []


def test_sync_of_a_channel_that_is_not_polled_is_400(api, merchant):
    channel = channel_create(merchant=merchant, kind="store", name="Counter")

    response = api.post(f"/api/v1/channels/{channel.pk}/sync/")

    assert response.status_code == 400


def test_inbound_events_are_tenant_scoped(sandbox, rival_api):
    event = store_event(sandbox, sandbox_page([sandbox_order()]))

    assert rival_api.get("/api/v1/inbound-events/").json()["count"] == 0
    assert rival_api.get(f"/api/v1/inbound-events/{event.pk}/").status_code == 404
    assert rival_api.post(f"/api/v1/inbound-events/{event.pk}/replay/").status_code == 404
    assert InboundEvent.objects.get(pk=event.pk).status == InboundStatus.RECEIVED
    response = rival_api.post(
        "/api/v1/sku-mappings/", {"channel": str(sandbox.pk), "channel_sku": "X", "sku": "Y"}, format="json"
    )
    assert response.status_code == 400


def test_unknown_webhook_address_is_404_and_stores_nothing(client, sandbox):
    response = client.post("/webhooks/shopify/not-a-token/", data=b"{}", content_type="application/json")

    assert response.status_code == 404
    assert not InboundEvent.objects.exists()


def test_a_replay_links_lines_to_a_product_created_after_the_order(sandbox, api):
    event = store_event(sandbox, sandbox_page([sandbox_order(sku="NEW-SKU")]))
    intake.inbound_event_process(event_id=event.pk)
    order = Order.objects.get(channel=sandbox)
    assert order.issues.filter(code="unknown_sku", resolved_at__isnull=True).exists()

    product_create(merchant=sandbox.merchant, sku="NEW-SKU", title="New")
    api.post(f"/api/v1/inbound-events/{event.pk}/replay/")

    assert order.lines.get().product.sku == "NEW-SKU"
    assert not order.issues.filter(code="unknown_sku", resolved_at__isnull=True).exists()
