"""Stock sync to channels: every connected shop that sells a SKU shows the figure we can really fulfil.

Durable state drives the pushes, never a task in flight (DESIGN.md, side effects). The flow:

1. ``stock_changed_mark`` handles the core's ``stock.changed`` event (published by inventory after every
   change of on hand or allocated): one ``INSERT … ON CONFLICT`` upserts a ``StockPushMark`` (``needs_push``,
   ``marked_at``) for each selling channel × changed product of that merchant. Cheap, idempotent.
2. ``stock_push_sweep`` (beat, every 15 s; ``manage.py runjobs`` in the quick start) claims one due mark at a
   time: ``needs_push`` and untouched for ``COALESCE`` (so a burst of changes becomes one push), not backing
   off, not claimed — or claimed by a worker that died (``claimed_until`` past). The claim is a short
   transaction (``SELECT … FOR UPDATE SKIP LOCKED`` then ``needs_push = false, claimed_until = now + CLAIM``)
   committed before any network call, so no row lock is held while a platform answers and two sweeps never
   push one mark at once. Then the figure is read through ``oms.catalog.availability`` (channels never import
   inventory), shared out (``available × share% // 100 − buffer``, never below 0), pushed through the adapter
   to each channel SKU, logged, and the claim released. A failure sets ``needs_push`` again with the error and
   a backoff; a mark changed again during its push kept ``needs_push`` and goes out with the next sweep.
3. ``stock_reconcile`` (beat, every 10 minutes) compares what each channel should show with what it was last
   sent and marks the differences: it catches a ``stock.changed`` task lost before it marked anything (a
   broker restart between commit and enqueue), products never pushed yet, and a new channel's first sync.

A figure equal to the last one pushed to the same channel SKUs within ``RESEND_AFTER`` (an hour) is not sent
again (logged as ``skipped``); an older one is re-sent, which heals a platform-side edit of the stock.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import InvalidOperation

import requests
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.adapters.base import AdapterError, RetryableError
from channels.adapters.registry import KINDS, get_adapter
from channels.intake import account_view
from channels.models import (
    ChannelAccount,
    ChannelStatus,
    SkuMapping,
    StockPushLog,
    StockPushMark,
    StockPushStatus,
)
from oms.catalog.availability import available_units
from oms.catalog.models import Product

logger = logging.getLogger("channels.stock_sync")

COALESCE = timedelta(seconds=5)
CLAIM = timedelta(seconds=120)
RESEND_AFTER = timedelta(hours=1)
SWEEP_LIMIT = 200
SWEEP_SECONDS = 45.0
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
PERMANENT_RETRY_FIRST = timedelta(hours=1)
PERMANENT_RETRY_MAX = timedelta(hours=24)
LOG_KEEP = timedelta(days=30)
LOG_PRUNE_BATCH = 1000
CHUNK = 500
# What a push may raise besides the adapter's own errors: a bad ``api_base_url`` (requests), a platform answer
# shaped otherwise than documented (mapping). Anything else is a bug and is left to crash loudly.
PUSH_ERRORS = (
    AdapterError,
    requests.RequestException,
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    AttributeError,
    InvalidOperation,
)


@dataclass(frozen=True)
class Claim:
    mark_id: uuid.UUID
    claimed_at: datetime


# --- what to push -----------------------------------------------------------------------------------------


def push_kinds() -> list[str]:
    """Channel kinds whose adapter can push stock (the internal kinds api/store/csv have no adapter)."""
    return [kind for kind in KINDS if callable(getattr(get_adapter(kind), "push_stock", None))]


def selling_channels(*, merchant_id):
    """The merchant's channels that receive stock: a pushing platform, sync enabled, not paused."""
    return (
        ChannelAccount.objects.filter(merchant_id=merchant_id, kind__in=push_kinds(), stock_sync_enabled=True)
        .exclude(status=ChannelStatus.PAUSED)
        .order_by("pk")
    )


def channel_quantity(available: int, *, share_percent: int, buffer: int) -> int:
    """What one channel may sell: its share of the available units rounded down, less the units kept back."""
    return max(0, max(0, int(available)) * int(share_percent) // 100 - int(buffer))


def channel_skus(*, channel: ChannelAccount, sku: str) -> list[str]:
    """The channel's own codes for a merchant SKU: its SKU mappings, else the merchant SKU itself."""
    mapped = list(
        SkuMapping.objects.for_merchant(channel.merchant)
        .filter(channel=channel, sku=sku)
        .order_by("channel_sku")
        .values_list("channel_sku", flat=True)
    )
    return mapped or [sku]


# --- 1. marking -------------------------------------------------------------------------------------------


def _valid_ids(values) -> list[uuid.UUID]:
    ids = []
    for value in values or ():
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return ids


def _upsert_marks(*, merchant_id, pairs: list[tuple], now: datetime) -> int:
    """One ``INSERT … ON CONFLICT (channel, product) DO UPDATE`` setting ``needs_push`` and ``marked_at``
    (a running backoff is kept). Rows go in a fixed order so concurrent upserts cannot deadlock."""
    marks = [
        StockPushMark(
            merchant_id=merchant_id,
            channel_id=channel_id,
            product_id=product_id,
            needs_push=True,
            marked_at=now,
        )
        for channel_id, product_id in sorted(set(pairs))
    ]
    if marks:
        StockPushMark.objects.bulk_create(
            marks,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["channel", "product"],
            update_fields=["needs_push", "marked_at", "updated_at"],
        )
    return len(marks)


def stock_changed_mark(*, merchant_id, product_ids) -> int:
    """The ``stock.changed`` handler: mark every selling channel × changed product of this merchant.
    Product ids of another merchant are ignored (the upsert only takes the merchant's own products)."""
    ids = _valid_ids(product_ids)
    if not ids or not merchant_id:
        return 0
    channels = list(selling_channels(merchant_id=merchant_id).values_list("pk", flat=True))
    if not channels:
        return 0
    products = list(Product.objects.filter(merchant_id=merchant_id, pk__in=ids).values_list("pk", flat=True))
    count = _upsert_marks(
        merchant_id=merchant_id,
        pairs=[(channel, product) for channel in channels for product in products],
        now=timezone.now(),
    )
    logger.debug("channels.stock.marked", extra={"merchant": str(merchant_id), "marks": count})
    return count


def stock_sync_mark_all(*, channel: ChannelAccount) -> int:
    """Mark every active product of one channel for a push now (settings saved, sync enabled again,
    credentials fixed): backoffs are cleared so nothing waits for an old failure."""
    now = timezone.now()
    StockPushMark.objects.filter(merchant_id=channel.merchant_id, channel=channel).update(retry_at=None)
    if not channel.stock_sync_enabled or channel.status == ChannelStatus.PAUSED:
        return 0
    products = Product.objects.filter(merchant_id=channel.merchant_id, is_active=True).values_list(
        "pk", flat=True
    )
    return _upsert_marks(
        merchant_id=channel.merchant_id, pairs=[(channel.pk, product) for product in products], now=now
    )


# --- 2. claiming and pushing ------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    waiting = Q(needs_push=True, marked_at__lte=now - COALESCE, claimed_until__isnull=True) & (
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    )
    return waiting | Q(claimed_until__lt=now)  # a claim whose worker died


def stock_push_claim(*, now: datetime | None = None) -> Claim | None:
    """Claim the oldest due mark of a selling channel, in a transaction committed before any push."""
    now = now or timezone.now()
    with transaction.atomic():
        mark = (
            StockPushMark.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_due(now), channel__kind__in=push_kinds(), channel__stock_sync_enabled=True)
            .exclude(channel__status=ChannelStatus.PAUSED)
            .order_by("marked_at", "pk")
            .only("pk")
            .first()
        )
        if mark is None:
            return None
        StockPushMark.objects.filter(pk=mark.pk).update(
            needs_push=False, claimed_at=now, claimed_until=now + CLAIM, updated_at=now
        )
    return Claim(mark_id=mark.pk, claimed_at=now)


def _backoff(attempts: int, error: Exception) -> timedelta:
    if isinstance(error, RetryableError):
        if error.retry_after:
            return timedelta(seconds=max(float(error.retry_after), 1.0))
        return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)
    return min(PERMANENT_RETRY_FIRST * 2 ** max(attempts - 1, 0), PERMANENT_RETRY_MAX)


def _log(
    mark: StockPushMark, *, code: str, quantity: int, available, status: str, error="", detail=""
) -> None:
    StockPushLog.objects.create(
        merchant_id=mark.merchant_id,
        channel_id=mark.channel_id,
        product_id=mark.product_id,
        sku=mark.product.sku,
        channel_sku=code[:128],
        quantity=quantity,
        available=available,
        status=status,
        error=error,
        detail=str(detail or "")[:500],
        at=timezone.now(),
    )


def _release(claim: Claim, **values) -> bool:
    """End our claim; False when it expired and another sweep took the mark meanwhile."""
    values.setdefault("updated_at", timezone.now())
    return bool(
        StockPushMark.objects.filter(pk=claim.mark_id, claimed_at=claim.claimed_at).update(
            claimed_at=None, claimed_until=None, **values
        )
    )


def stock_push_one(claim: Claim) -> str:
    """Push the claimed mark's figure to every channel SKU; returns the log status. No lock is held here."""
    mark = StockPushMark.objects.select_related("channel", "channel__merchant", "product").get(
        pk=claim.mark_id
    )
    channel, product = mark.channel, mark.product
    figures = available_units(merchant_id=mark.merchant_id, product_ids=[product.pk])
    codes = channel_skus(channel=channel, sku=product.sku)
    if product.pk not in figures:
        error = RuntimeError("no stock figure: the inventory reader is not registered")
        return _fail(claim, mark, codes, quantity=0, available=None, error=error)
    available = int(figures[product.pk] or 0)
    quantity = channel_quantity(
        available, share_percent=channel.stock_share_percent, buffer=channel.stock_buffer
    )
    targets = "\n".join(codes)
    now = timezone.now()
    unchanged = (
        mark.last_quantity == quantity
        and mark.last_channel_skus == targets
        and mark.pushed_at is not None
        and mark.pushed_at > now - RESEND_AFTER
    )
    if unchanged:
        for code in codes:
            _log(
                mark,
                code=code,
                quantity=quantity,
                available=available,
                status=StockPushStatus.SKIPPED,
                detail="unchanged since the last push",
            )
        _release(claim, attempts=0, last_error="", retry_at=None)
        return StockPushStatus.SKIPPED
    adapter = get_adapter(channel.kind)
    account = account_view(channel)
    for code in codes:
        try:
            detail = adapter.push_stock(account, code, quantity)
        except PUSH_ERRORS as exc:
            _log(
                mark,
                code=code,
                quantity=quantity,
                available=available,
                status=StockPushStatus.ERROR,
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            return _fail(claim, mark, codes, quantity=quantity, available=available, error=exc, logged=True)
        _log(
            mark, code=code, quantity=quantity, available=available, status=StockPushStatus.OK, detail=detail
        )
    _release(
        claim,
        pushed_at=timezone.now(),
        last_quantity=quantity,
        last_channel_skus=targets,
        attempts=0,
        last_error="",
        retry_at=None,
    )
    logger.info(
        "channels.stock.pushed",
        extra={"channel": str(channel.pk), "sku": product.sku, "quantity": quantity, "codes": len(codes)},
    )
    return StockPushStatus.OK


def _fail(claim, mark, codes, *, quantity, available, error: Exception, logged: bool = False) -> str:
    """Keep the mark needing a push, with the error and a backoff that grows with the attempts."""
    text = f"{type(error).__name__}: {error}"[:2000]
    if not logged:
        for code in codes:
            _log(
                mark,
                code=code,
                quantity=quantity,
                available=available,
                status=StockPushStatus.ERROR,
                error=text,
            )
    attempts = mark.attempts + 1
    _release(
        claim,
        needs_push=True,
        attempts=F("attempts") + 1,
        last_error=text,
        retry_at=timezone.now() + _backoff(attempts, error),
    )
    logger.warning(
        "channels.stock.push_failed",
        extra={"channel": str(mark.channel_id), "sku": mark.product.sku, "attempts": attempts, "error": text},
    )
    return StockPushStatus.ERROR


def stock_push_sweep(*, limit: int = SWEEP_LIMIT, seconds: float = SWEEP_SECONDS) -> int:
    """Push due marks one claim at a time until none is due, ``limit`` pushes or ``seconds`` have passed
    (the next sweep goes on; several sweeps may run at once). Returns the number of marks handled."""
    stock_push_log_prune()
    deadline = time.monotonic() + seconds
    handled = 0
    while handled < limit and time.monotonic() < deadline:
        claim = stock_push_claim()
        if claim is None:
            break
        stock_push_one(claim)
        handled += 1
    return handled


def stock_push_log_prune(*, keep: timedelta = LOG_KEEP) -> int:
    old = list(
        StockPushLog.objects.filter(at__lt=timezone.now() - keep).values_list("pk", flat=True)[
            :LOG_PRUNE_BATCH
        ]
    )
    if not old:
        return 0
    return StockPushLog.objects.filter(pk__in=old).delete()[0]


# --- 3. reconciling ---------------------------------------------------------------------------------------


def stock_reconcile(*, merchant_id=None) -> int:
    """Mark every (selling channel, active product) whose figure differs from what the channel was last sent
    (or that was never sent). Returns the number of marks set."""
    channels = ChannelAccount.objects.filter(kind__in=push_kinds(), stock_sync_enabled=True).exclude(
        status=ChannelStatus.PAUSED
    )
    if merchant_id is not None:
        channels = channels.filter(merchant_id=merchant_id)
    by_merchant: dict = {}
    for channel in channels.order_by("merchant_id", "pk"):
        by_merchant.setdefault(channel.merchant_id, []).append(channel)
    marked = 0
    for merchant, merchant_channels in by_merchant.items():
        marked += _reconcile_merchant(merchant, merchant_channels)
    if marked:
        logger.info("channels.stock.reconciled", extra={"marks": marked})
    return marked


def _reconcile_merchant(merchant_id, channels: list[ChannelAccount]) -> int:
    product_ids = list(
        Product.objects.filter(merchant_id=merchant_id, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    marked = 0
    for start in range(0, len(product_ids), CHUNK):
        chunk = product_ids[start : start + CHUNK]
        figures = available_units(merchant_id=merchant_id, product_ids=chunk)
        if not figures:
            return marked  # no inventory reader: nothing to compare with
        sent = {
            (row["channel_id"], row["product_id"]): row
            for row in StockPushMark.objects.filter(merchant_id=merchant_id, product_id__in=chunk).values(
                "channel_id", "product_id", "last_quantity", "needs_push", "claimed_until"
            )
        }
        pairs = []
        for channel in channels:
            for product_id in chunk:
                if product_id not in figures:
                    continue
                quantity = channel_quantity(
                    figures[product_id],
                    share_percent=channel.stock_share_percent,
                    buffer=channel.stock_buffer,
                )
                row = sent.get((channel.pk, product_id))
                pending = row is not None and (row["needs_push"] or row["claimed_until"] is not None)
                if row is None or (not pending and row["last_quantity"] != quantity):
                    pairs.append((channel.pk, product_id))
        marked += _upsert_marks(merchant_id=merchant_id, pairs=pairs, now=timezone.now())
    return marked


# --- reads of the channel page ----------------------------------------------------------------------------


def stock_push_log_list(*, merchant, channel: ChannelAccount, limit: int = 50):
    return (
        StockPushLog.objects.for_merchant(merchant)
        .filter(channel=channel)
        .select_related("product")
        .order_by("-at")[:limit]
    )


def stock_sync_summary(*, merchant, channel: ChannelAccount) -> dict:
    marks = StockPushMark.objects.for_merchant(merchant).filter(channel=channel)
    return {
        "waiting": marks.filter(needs_push=True).count(),
        "failing": marks.exclude(last_error="").count(),
        "last_push": marks.exclude(pushed_at__isnull=True)
        .order_by("-pushed_at")
        .values_list("pushed_at", flat=True)
        .first(),
    }


def stock_sync_settings_update(
    *, channel: ChannelAccount, enabled: bool, share_percent: int, buffer: int
) -> ChannelAccount:
    """Save a channel's stock settings and push every product again with them."""
    ChannelAccount.objects.filter(pk=channel.pk).update(
        stock_sync_enabled=enabled,
        stock_share_percent=share_percent,
        stock_buffer=buffer,
        updated_at=timezone.now(),
    )
    channel.stock_sync_enabled, channel.stock_share_percent, channel.stock_buffer = (
        enabled,
        share_percent,
        buffer,
    )
    stock_sync_mark_all(channel=channel)
    return channel
