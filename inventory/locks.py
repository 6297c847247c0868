"""Row locks, always taken in one order: the order row first (when there is one), then stock levels by id.

Every path that changes stock follows this order, so concurrent web and worker processes never deadlock.
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
