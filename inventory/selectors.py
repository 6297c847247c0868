"""Reads on stock shared by pages, the API and the check command."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Greatest

from inventory.models import Allocation, AllocationStatus, StockLevel, StockMove


@dataclass(frozen=True)
class Mismatch:
    location_id: object
    product_id: object
    what: str
    level: int
    expected: int


def ledger_mismatches(*, merchant=None) -> list[Mismatch]:
    """Levels that differ from the sums of their ledger rows or of their active allocations (none, ever)."""
    levels = StockLevel.objects.all() if merchant is None else StockLevel.objects.for_merchant(merchant)
    sums = {
        (row["location_id"], row["product_id"]): row
        for row in StockMove.objects.filter(merchant_id__in=levels.values("merchant_id"))
        .values("location_id", "product_id")
        .annotate(on_hand=Sum("on_hand_delta"), allocated=Sum("allocated_delta"), safety=Sum("safety_delta"))
    }
    held = {
        (row["location_id"], row["product_id"]): row["units"]
        for row in Allocation.objects.filter(
            Q(status=AllocationStatus.ACTIVE), merchant_id__in=levels.values("merchant_id")
        )
        .values("location_id", "product_id")
        .annotate(units=Sum("quantity"))
    }
    found = []
    seen = set()
    for level in levels:
        key = (level.location_id, level.product_id)
        seen.add(key)
        ledger = sums.get(key, {"on_hand": 0, "allocated": 0, "safety": 0})
        for what in ("on_hand", "allocated", "safety"):
            if getattr(level, what) != (ledger[what] or 0):
                found.append(Mismatch(*key, f"{what} vs ledger", getattr(level, what), ledger[what] or 0))
        if level.allocated != held.get(key, 0):
            found.append(Mismatch(*key, "allocated vs allocations", level.allocated, held.get(key, 0)))
    for key in sorted(set(sums) - seen, key=str):  # ledger rows or allocations whose level row is gone
        for what in ("on_hand", "allocated", "safety"):
            if sums[key][what]:
                found.append(Mismatch(*key, f"{what} vs ledger", 0, sums[key][what]))
    for key in sorted(set(held) - seen, key=str):
        found.append(Mismatch(*key, "allocated vs allocations", 0, held[key]))
    return found


def available_by_product(merchant_id, product_ids) -> dict:
    """Units free to sell per product across active locations (on hand − allocated − safety, at least 0)."""
    rows = (
        StockLevel.objects.filter(merchant_id=merchant_id, product_id__in=product_ids, location__active=True)
        .values("product_id")
        .annotate(units=Sum(Greatest(F("on_hand") - F("allocated") - F("safety"), Value(0))))
    )
    found = {row["product_id"]: row["units"] or 0 for row in rows}
    return {product_id: found.get(product_id, 0) for product_id in product_ids}
