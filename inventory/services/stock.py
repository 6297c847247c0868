"""The ledger service: the one way stock levels change; each change is a StockMove row in its transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from inventory import locks
from inventory.models import MoveKind, StockLevel, StockMove
from oms.catalog.models import Product
from oms.core.actors import Actor
from oms.core.errors import Conflict, NotFound, ValidationFailed
from oms.locations.models import Location
from oms.orders import events


class InsufficientStock(Conflict):
    code = "insufficient_stock"


def _move(
    level: StockLevel,
    kind: str,
    actor: Actor,
    *,
    on_hand=0,
    allocated=0,
    safety=0,
    order=None,
    reason="",
    reference="",
) -> StockMove:
    return StockMove.objects.create(
        merchant_id=level.merchant_id,
        location_id=level.location_id,
        product_id=level.product_id,
        kind=kind,
        on_hand_delta=on_hand,
        allocated_delta=allocated,
        safety_delta=safety,
        order=order,
        reason=reason[:500],
        reference=reference[:100],
        actor_id=actor.user_id,
        actor_label=actor.label,
    )


def level_change(
    level: StockLevel,
    kind: str,
    actor: Actor,
    *,
    on_hand: int = 0,
    allocated: int = 0,
    safety: int = 0,
    order=None,
    reason: str = "",
    reference: str = "",
    guard_available: bool = False,
) -> StockLevel:
    """Apply deltas to a level locked by this transaction (``inventory.locks``) with a conditional UPDATE and
    write the ledger row; ``level`` is updated in place.

    ``guard_available`` refuses an allocation that would take ``on_hand - allocated - safety`` below zero.
    Zero rows updated means the change would break an invariant: InsufficientStock, nothing written.
    """
    rows = StockLevel.objects.filter(
        pk=level.pk,
        on_hand__gte=-on_hand,
        allocated__gte=-allocated,
        safety__gte=-safety,
    )
    rows = rows.filter(allocated__lte=F("on_hand") + on_hand - allocated)
    if guard_available:
        rows = rows.filter(on_hand__gte=F("allocated") + F("safety") + allocated - on_hand)
    updated = rows.update(
        on_hand=F("on_hand") + on_hand, allocated=F("allocated") + allocated, safety=F("safety") + safety
    )
    if not updated:
        raise InsufficientStock(
            f"not enough stock of this SKU at this location for {kind} "
            f"(on hand {level.on_hand}, allocated {level.allocated}, safety {level.safety})"
        )
    _move(
        level,
        kind,
        actor,
        on_hand=on_hand,
        allocated=allocated,
        safety=safety,
        order=order,
        reason=reason,
        reference=reference,
    )
    level.on_hand += on_hand  # the row is locked by this transaction: what we wrote is what it holds
    level.allocated += allocated
    level.safety += safety
    return level


def _resolve(merchant, location_code: str, sku: str, field: str = "warehouse") -> tuple[Location, Product]:
    location = Location.objects.for_merchant(merchant).filter(code=location_code).first()
    if location is None:
        raise NotFound(f"unknown warehouse {location_code!r}", fields={field: ["unknown"]})
    product = Product.objects.for_merchant(merchant).filter(sku=sku).first()
    if product is None:
        raise NotFound(f"unknown SKU {sku!r}", fields={"sku": ["unknown"]})
    return location, product


class _StockBusy(Exception):
    """Orders holding the stock a count must take back were busy elsewhere: roll back and try again."""


def stock_adjust(
    *,
    merchant,
    warehouse: str,
    sku: str,
    actor: Actor,
    delta: int | None = None,
    set_on_hand: int | None = None,
    safety: int | None = None,
    reason: str = "",
    kind: str = MoveKind.ADJUSTMENT,
) -> StockLevel:
    """Receive, count or adjust stock at a location. A count below what is allocated first takes the missing
    units back from the newest allocations there (those orders go back to allocation elsewhere), in the same
    transaction as the count, so nothing can take the freed units before the count lands."""
    if delta is not None and set_on_hand is not None:
        raise ValidationFailed("give exactly one of delta or set_on_hand", fields={"delta": ["one of"]})
    if delta is None and set_on_hand is None and safety is None:
        raise ValidationFailed("give exactly one of delta or set_on_hand", fields={"delta": ["one of"]})
    if set_on_hand is not None and set_on_hand < 0:
        raise ValidationFailed("stock on hand cannot be negative", fields={"set_on_hand": ["negative"]})
    if safety is not None and safety < 0:
        raise ValidationFailed("safety stock cannot be negative", fields={"safety": ["negative"]})
    location, product = _resolve(merchant, warehouse, sku)
    if set_on_hand is not None and kind == MoveKind.ADJUSTMENT:
        kind = MoveKind.COUNT
    for _ in range(5):
        try:
            with transaction.atomic():
                return _adjust(merchant, location, product, actor, delta, set_on_hand, safety, reason, kind)
        except _StockBusy:
            continue
    raise Conflict("stock kept changing while adjusting; try again", code="busy")


def _adjust(merchant, location, product, actor, delta, set_on_hand, safety, reason, kind) -> StockLevel:
    from inventory.services.allocation import allocations_take_back

    key = (location.pk, product.pk)
    level = locks.levels_lock(merchant=merchant, keys=[key])[key]
    change = (set_on_hand - level.on_hand) if set_on_hand is not None else (delta or 0)
    if level.on_hand + change < 0:
        raise InsufficientStock(f"only {level.on_hand} on hand; cannot remove {-change}")
    if level.on_hand + change < level.allocated:
        allocations_take_back(
            merchant=merchant,
            location=location,
            product=product,
            units=level.allocated - (level.on_hand + change),
            actor=actor,
        )
        level.refresh_from_db()
        if level.on_hand + change < level.allocated:
            raise _StockBusy
    if change:
        level = level_change(level, kind, actor, on_hand=change, reason=reason)
    if safety is not None and safety != level.safety:
        level = level_change(level, MoveKind.SAFETY, actor, safety=safety - level.safety, reason=reason)
    if change > 0 or safety is not None:
        transaction.on_commit(lambda: stock_freed(merchant_id=merchant.pk, product_ids=[product.pk]))
    events.publish_stock_changed(merchant_id=merchant.pk, product_ids=[product.pk])
    return level


def stock_transfer(
    *, merchant, source: str, destination: str, sku: str, quantity: int, actor: Actor, reason: str = ""
) -> tuple[StockLevel, StockLevel]:
    """Move free units between locations (both ledger rows in one transaction)."""
    if quantity <= 0:
        raise ValidationFailed("a transfer moves at least one unit", fields={"quantity": ["positive"]})
    if source == destination:
        raise ValidationFailed("source and destination are the same", fields={"destination": ["same"]})
    from_location, product = _resolve(merchant, source, sku, field="source")
    to_location, _ = _resolve(merchant, destination, sku, field="destination")
    with transaction.atomic():
        levels = locks.levels_lock(
            merchant=merchant, keys=[(from_location.pk, product.pk), (to_location.pk, product.pk)]
        )
        out = level_change(
            levels[(from_location.pk, product.pk)],
            MoveKind.TRANSFER_OUT,
            actor,
            on_hand=-quantity,
            reason=reason,
            reference=destination,
            guard_available=True,
        )
        into = level_change(
            levels[(to_location.pk, product.pk)],
            MoveKind.TRANSFER_IN,
            actor,
            on_hand=quantity,
            reason=reason,
            reference=source,
        )
        transaction.on_commit(lambda: stock_freed(merchant_id=merchant.pk, product_ids=[product.pk]))
        events.publish_stock_changed(merchant_id=merchant.pk, product_ids=[product.pk])
    return out, into


def stock_freed(*, merchant_id, product_ids: list) -> None:
    """Units became free: backorders get their turn, first come first served within priority."""
    from inventory.tasks import backorders_allocate_task

    backorders_allocate_task.delay(str(merchant_id), [str(pk) for pk in product_ids])
