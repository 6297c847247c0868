"""Row locks, always taken in one order: order rows first (by id), then stock levels by id.

Every path that changes stock follows this order, so concurrent web and worker processes never deadlock.
The one path that needs orders after a level (a count taking units back) takes them with SKIP LOCKED.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from inventory.models import StockLevel
from oms.orders.models import Order


def order_lock(*, merchant, order_id) -> Order | None:
    return Order.objects.for_merchant(merchant).select_for_update().filter(pk=order_id).first()


def level_ensure(*, merchant, location_id, product_id) -> None:
    """Create the level row if it is missing (a concurrent creator wins quietly)."""
    if StockLevel.objects.filter(location_id=location_id, product_id=product_id).exists():
        return
    try:
        with transaction.atomic():
            StockLevel.objects.create(merchant=merchant, location_id=location_id, product_id=product_id)
    except IntegrityError:
        pass


def levels_lock(*, merchant, keys: list[tuple]) -> dict[tuple, StockLevel]:
    """Lock the levels of (location_id, product_id) pairs in primary-key order and return them by pair."""
    for location_id, product_id in keys:
        level_ensure(merchant=merchant, location_id=location_id, product_id=product_id)
    wanted = set(keys)
    ids = sorted(
        pk
        for pk, location_id, product_id in StockLevel.objects.for_merchant(merchant)
        .filter(location_id__in={k[0] for k in keys}, product_id__in={k[1] for k in keys})
        .values_list("pk", "location_id", "product_id")
        if (location_id, product_id) in wanted
    )
    rows = list(StockLevel.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    return {(row.location_id, row.product_id): row for row in rows}


def levels_lock_products(*, merchant, product_ids) -> list[StockLevel]:
    """Lock every level of these products at the merchant's active locations, in primary-key order.

    The allocation engine plans from these locked rows, so what it plans is what it can take.
    """
    return list(
        StockLevel.objects.for_merchant(merchant)
        .filter(product_id__in=list(product_ids), location__active=True)
        .select_for_update(of=("self",))
        .order_by("pk")
    )


def orders_lock(*, merchant, order_ids, skip_locked: bool = False) -> dict:
    """Lock several orders in primary-key order and return them by id.

    Taken before any stock level; or, by a transaction that holds a level already, with ``skip_locked`` (an
    order locked by someone else is left out rather than waited for, so no cycle of waits can form).
    """
    rows = (
        Order.objects.for_merchant(merchant)
        .filter(pk__in=list(order_ids))
        .select_for_update(of=("self",), skip_locked=skip_locked)
        .order_by("pk")
    )
    return {order.pk: order for order in rows}
