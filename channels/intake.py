"""Loss-proof intake: raw requests and poll pages are stored first, then parsed, normalized and filed.

Order of work for a webhook (STYLE.md): find the account, answer a ping, verify the signature on the raw
bytes (401, stored as ``rejected``), store the raw event, read its event id (400 when it is not the
platform's format: stored as ``failed``, replayable), deduplicate on the unique index, enqueue processing
after commit, answer 202. Processing is idempotent: an order is found by (channel, external id) and a
version is applied only when it is newer, so running an event twice, or a webhook and a poll of the same
order, files it once.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import InvalidOperation

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from channels.adapters.base import (
    Account,
    AdapterError,
    BadSignature,
    RawRequest,
    RetryableError,
)
from channels.adapters.registry import get_adapter, polling_kinds
from channels.models import ChannelAccount, ChannelStatus, InboundEvent, InboundSource, InboundStatus
from channels.normalize.order import normalize_order
from oms.core.actors import Actor
from oms.core.errors import DomainError, NotFound
from oms.orders.models import Order
from oms.orders.services import order_apply_channel_version, order_create
from oms.orders.types import NewOrder

logger = logging.getLogger("channels.intake")

MAPPING_ERRORS = (AdapterError, KeyError, TypeError, ValueError, IndexError, InvalidOperation, AttributeError)
SWEEP_AFTER = timedelta(minutes=1)
POLL_PAGES_PER_RUN = 20
DEFAULT_POLL_SECONDS = 300


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict


def account_view(channel: ChannelAccount) -> Account:
    return Account(
        id=str(channel.pk),
        kind=channel.kind,
        config=channel.config,
        webhook_secret=channel.webhook_secret,
        cursor=dict(channel.poll_cursor or {}),
    )


def _stored_headers(headers: dict[str, str]) -> dict[str, str]:
    return {
        key.lower(): value for key, value in headers.items() if key.lower() not in {"cookie", "authorization"}
    }


def webhook_receive(
    *, kind: str, token: str, headers: dict[str, str], body: bytes, content_type: str
) -> WebhookAnswer:
    channel = ChannelAccount.objects.select_related("merchant").filter(kind=kind, webhook_token=token).first()
    adapter = get_adapter(kind)
    if channel is None or adapter is None or not getattr(adapter, "receives_webhooks", False):
        return WebhookAnswer(
            404, {"error": {"code": "not_found", "message": "unknown webhook address", "fields": {}}}
        )
    request = RawRequest(
        headers={k.lower(): v for k, v in headers.items()}, body=body, content_type=content_type
    )
    if adapter.is_ping(request):
        logger.info("channels.webhook.ping", extra={"channel": str(channel.pk)})
        return WebhookAnswer(200, {"status": "ok"})
    event = InboundEvent(
        merchant_id=channel.merchant_id,
        channel=channel,
        source=InboundSource.WEBHOOK,
        headers=_stored_headers(request.headers),
        body=body,
        content_type=content_type[:200],
        received_at=timezone.now(),
    )
    try:
        adapter.verify(request, account_view(channel))
    except BadSignature as exc:
        event.status, event.error = InboundStatus.REJECTED, str(exc)
        event.save()
        logger.warning("channels.webhook.bad_signature", extra={"channel": str(channel.pk)})
        return WebhookAnswer(401, {"error": {"code": "bad_signature", "message": str(exc), "fields": {}}})
    try:
        info = adapter.inspect(request)
    except MAPPING_ERRORS as exc:
        event.status, event.error = InboundStatus.FAILED, f"not readable: {exc}"
        event.save()
        return WebhookAnswer(400, {"error": {"code": "bad_payload", "message": str(exc), "fields": {}}})
    event.external_event_id, event.topic = info.event_id[:200], info.topic[:100]
    try:
        with transaction.atomic():
            event.save()  # one INSERT; the partial unique index on the event id is the deduplication
    except IntegrityError:
        event.pk, event.status = uuid.uuid4(), InboundStatus.DUPLICATE
        event.save(force_insert=True)
        logger.info(
            "channels.webhook.duplicate", extra={"channel": str(channel.pk), "event_id": info.event_id}
        )
        return WebhookAnswer(200, info.reply or {"status": "duplicate"})
    inbound_event_enqueue(event.pk)
    return WebhookAnswer(202, info.reply or {"status": "accepted", "id": str(event.pk)})


def inbound_event_enqueue(event_id) -> None:
    from channels.tasks import inbound_event_process_task

    transaction.on_commit(lambda: inbound_event_process_task.delay(str(event_id)), robust=True)


def inbound_event_process(*, event_id, replay: bool = False) -> InboundEvent:
    """Parse a stored event and file its orders. Safe to run twice; failures stay visible and replayable."""
    event = InboundEvent.objects.select_related("channel", "channel__merchant").get(pk=event_id)
    if event.status in (InboundStatus.DUPLICATE, InboundStatus.REJECTED) and not replay:
        return event
    if event.status == InboundStatus.PROCESSED and not replay:
        return event
    InboundEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1)
    channel = event.channel
    adapter = get_adapter(channel.kind)
    account = account_view(channel)
    request = RawRequest(headers=event.headers, body=bytes(event.body), content_type=event.content_type)
    try:
        parsed = adapter.parse(request, account)
        orders = list(parsed.orders) + [
            adapter.fetch_order(account, external_id) for external_id in parsed.fetch_ids
        ]
    except RetryableError as exc:
        InboundEvent.objects.filter(pk=event.pk).update(error=f"will retry: {exc}")
        raise
    except MAPPING_ERRORS as exc:
        InboundEvent.objects.filter(pk=event.pk).update(
            status=InboundStatus.FAILED, error=f"{type(exc).__name__}: {exc}", processed_at=timezone.now()
        )
        logger.warning("channels.intake.failed", extra={"event": str(event.pk), "error": str(exc)})
        event.refresh_from_db()
        return event
    try:
        results = [order_ingest(channel=channel, data=data, replay=replay) for data in orders]
    except DomainError as exc:
        InboundEvent.objects.filter(pk=event.pk).update(
            status=InboundStatus.FAILED, error=f"{exc.code}: {exc.message}", processed_at=timezone.now()
        )
        logger.warning(
            "channels.intake.rejected_by_core", extra={"event": str(event.pk), "error": exc.message}
        )
        event.refresh_from_db()
        return event
    all_stale = bool(results) and all(outcome == "stale" for _, outcome in results)
    InboundEvent.objects.filter(pk=event.pk).update(
        status=InboundStatus.DUPLICATE if all_stale else InboundStatus.PROCESSED,
        error="",
        processed_at=timezone.now(),
        order_ids=[str(order.pk) for order, _ in results],
    )
    event.refresh_from_db()
    return event


def inbound_event_replay(*, merchant, event_id) -> InboundEvent:
    event = InboundEvent.objects.for_merchant(merchant).filter(pk=event_id).first()
    if event is None:
        raise NotFound("no such inbound event")
    if event.source == InboundSource.IMPORT:
        from channels.imports import import_event_replay

        import_event_replay(merchant=merchant, event_id=event.pk)
        event.refresh_from_db()
        return event
    if event.status == InboundStatus.REJECTED:
        account = account_view(event.channel)
        request = RawRequest(headers=event.headers, body=bytes(event.body), content_type=event.content_type)
        adapter = get_adapter(event.channel.kind)
        try:
            adapter.verify(request, account)
        except BadSignature:
            return event  # still not signed with this account's secret: stays rejected
    return inbound_event_process(event_id=event.pk, replay=True)


def order_ingest(*, channel: ChannelAccount, data: NewOrder, replay: bool = False) -> tuple[Order, str]:
    """File one order from a channel: create it, or apply a newer version. Returns (order, outcome)."""
    data = normalize_order(channel=channel, data=data)
    actor = Actor.system(f"channel {channel.name}")
    existing = (
        Order.objects.for_merchant(channel.merchant)
        .filter(channel=channel, external_id=data.external_id)
        .first()
    )
    if existing is None:
        order, created = order_create(merchant=channel.merchant, channel=channel, data=data, actor=actor)
        return order, "created" if created else "stale"
    outcome = order_apply_channel_version(
        merchant=channel.merchant, order_id=existing.pk, data=data, actor=actor, allow_same_version=replay
    )
    return existing, outcome


def inbound_sweep(*, older_than: timedelta = SWEEP_AFTER) -> int:
    """Re-enqueue events still ``received`` a minute after arrival: their task was lost (broker restart…)."""
    from channels.tasks import inbound_event_process_task

    stale = InboundEvent.objects.filter(
        status=InboundStatus.RECEIVED, received_at__lt=timezone.now() - older_than
    ).exclude(source=InboundSource.IMPORT)  # an import's own job tracks it
    ids = list(stale.order_by("received_at").values_list("pk", flat=True)[:500])
    for event_id in ids:
        inbound_event_process_task.delay(str(event_id))
    if ids:
        logger.info("channels.intake.swept", extra={"count": len(ids)})
    return len(ids)


def channel_poll_due() -> list[str]:
    """Accounts of polled platforms whose interval has passed (``config.poll_seconds``, default 5 minutes)."""
    now = timezone.now()
    due = []
    for channel in ChannelAccount.objects.filter(kind__in=polling_kinds(), status=ChannelStatus.ACTIVE):
        interval = int((channel.poll_cursor or {}).get("poll_seconds") or _poll_seconds(channel))
        backoff_until = (channel.poll_cursor or {}).get("backoff_until")
        if backoff_until and backoff_until > now.isoformat():
            continue
        if channel.last_sync_at is None or channel.last_sync_at <= now - timedelta(seconds=interval):
            due.append(str(channel.pk))
    return due


def _poll_seconds(channel: ChannelAccount) -> int:
    adapter = get_adapter(channel.kind)
    return int(channel.config.get("poll_seconds") or getattr(adapter, "poll_seconds", DEFAULT_POLL_SECONDS))


def channel_poll(*, channel_id) -> int:
    """Poll one account: each page is stored as an inbound event, then filed; the cursor is saved per page.

    Returns the number of pages read. A lease in the cache keeps two workers from polling one account at once.
    """
    lease = f"channels:poll:{channel_id}"
    if not cache.add(lease, "1", timeout=600):
        return 0
    try:
        return _channel_poll(channel_id)
    finally:
        cache.delete(lease)


def _channel_poll(channel_id) -> int:
    channel = ChannelAccount.objects.select_related("merchant").get(pk=channel_id)
    adapter = get_adapter(channel.kind)
    if adapter is None or not adapter.polls:
        return 0
    pages = 0
    cursor = dict(channel.poll_cursor or {})
    cursor.pop("backoff_until", None)
    try:
        while pages < POLL_PAGES_PER_RUN:
            page = adapter.fetch_page(account_view(channel), cursor)
            pages += 1
            event = InboundEvent.objects.create(
                merchant_id=channel.merchant_id,
                channel=channel,
                source=InboundSource.SANDBOX if channel.kind == "sandbox" else InboundSource.POLL,
                headers={"x-oms-cursor": json.dumps(cursor, default=str)},
                body=page.body,
                content_type="application/json",
                received_at=timezone.now(),
            )
            inbound_event_process(event_id=event.pk)
            cursor = page.cursor
            ChannelAccount.objects.filter(pk=channel.pk).update(poll_cursor=cursor)
            if not page.has_more:
                break
    except RetryableError as exc:
        delay = exc.retry_after or 60
        cursor["backoff_until"] = (timezone.now() + timedelta(seconds=delay)).isoformat()
        ChannelAccount.objects.filter(pk=channel.pk).update(
            poll_cursor=cursor, last_error=f"{exc} (retry in {int(delay)} s)"
        )
        logger.warning("channels.poll.backoff", extra={"channel": str(channel.pk), "seconds": delay})
        return pages
    except AdapterError as exc:
        ChannelAccount.objects.filter(pk=channel.pk).update(last_error=str(exc), status=ChannelStatus.ERROR)
        logger.warning("channels.poll.failed", extra={"channel": str(channel.pk), "error": str(exc)})
        return pages
    ChannelAccount.objects.filter(pk=channel.pk).update(last_sync_at=timezone.now(), last_error="")
    return pages
