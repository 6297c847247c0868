"""The allocation engine: plans with ``inventory.planner`` and reserves stock with the ledger service.

Locks: the order row, then its stock levels in id order (``inventory.locks``). The plan is made from a
snapshot; the reservation re-checks each level under its lock with a conditional UPDATE, and a plan that no
longer fits is made again (at most three times), so no interleaving of processes can allocate a unit twice.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Sum, Value, When

from inventory import locks, planner
from inventory.models import (
    Allocation,
    AllocationPolicy,
    AllocationStatus,
    MoveKind,
    ShortagePolicy,
    StockLevel,
)
from inventory.services.stock import InsufficientStock, level_change
from oms.catalog.models import BundleComponent
from oms.core import divisions
from oms.core.actors import Actor
from oms.locations.models import Location
from oms.orders import events
from oms.orders.models import Order, OrderStatus
from oms.orders.services import event_record, issue_add, order_transition

ALLOCATABLE = frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_ALLOCATED, OrderStatus.BACKORDERED})
SYSTEM = Actor.system("allocation")


def priority_rank(field: str = "priority") -> Case:
    """urgent 0, high 1, normal 2, low 3: for ordering in SQL."""
    ranks = {"urgent": 0, "high": 1, "normal": 2}
    whens = [When(**{field: name}, then=Value(rank)) for name, rank in ranks.items()]
    return Case(*whens, default=Value(3), output_field=IntegerField())


def policy_for(merchant) -> AllocationPolicy:
    return AllocationPolicy.objects.filter(merchant=merchant).first() or AllocationPolicy(merchant=merchant)


def _components(merchant, product_ids) -> dict:
    parts = defaultdict(list)
    for row in (
        BundleComponent.objects.for_merchant(merchant)
        .filter(bundle_id__in=product_ids)
        .select_related("component")
    ):
        parts[row.bundle_id].append((row.component, row.quantity))
    return parts


def _needs(order: Order) -> tuple[list[planner.Need], int]:
    """What each line still needs, bundles expanded; and how many units have no known product."""
    lines = list(order.lines.select_related("product"))
    taken = defaultdict(int)
    for line_id, product_id, quantity in order.allocations.filter(
        status__in=[AllocationStatus.ACTIVE, AllocationStatus.SHIPPED]
    ).values_list("line_id", "product_id", "quantity"):
        taken[(line_id, product_id)] += quantity
    bundles = _components(order.merchant, [line.product_id for line in lines if line.product_id])
    needs, unknown = [], 0
    for line in lines:
        if line.product is None:
            unknown += line.quantity
            continue
        parts = bundles.get(line.product_id) or [(line.product, 1)]
        for product, per_unit in parts:
            cold = bool(product.attributes.get("fresh") or line.product.attributes.get("fresh")) or (
                order.order_type == "fresh"
            )
            missing = line.quantity * per_unit - taken[(line.pk, product.pk)]
            if missing > 0:
                needs.append(planner.Need(f"{line.pk}:{product.pk}", product.pk, missing, cold))
    return needs, unknown


def _point(region_code: str) -> tuple[float | None, float | None]:
    code = region_code or ""
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        found = divisions.by_code(candidate) if len(candidate) == 6 else None
        if found and found.latitude is not None:
            return found.latitude, found.longitude
    return None, None


def _sites(order: Order, needs: list[planner.Need], policy: AllocationPolicy) -> list[planner.Site]:
    product_ids = {need.product_id for need in needs}
    holdback = int((policy.channel_holdback or {}).get(str(order.channel_id), 0))
    ranks = {code: index for index, code in enumerate(policy.location_priority or [])}
    levels = defaultdict(dict)
    for location_id, product_id, on_hand, allocated, safety in (
        StockLevel.objects.for_merchant(order.merchant)
        .filter(product_id__in=product_ids, location__active=True)
        .values_list("location_id", "product_id", "on_hand", "allocated", "safety")
    ):
        free = on_hand - allocated - safety - holdback
        if free > 0:
            levels[location_id][product_id] = free
    sites = []
    for location in Location.objects.for_merchant(order.merchant).filter(pk__in=levels):
        latitude, longitude = location.latitude, location.longitude
        if latitude is None:
            latitude, longitude = _point(location.region_code)
        sites.append(
            planner.Site(
                location_id=location.pk,
                code=location.code,
                region_code=location.region_code,
                latitude=float(latitude) if latitude is not None else None,
                longitude=float(longitude) if longitude is not None else None,
                capabilities=frozenset(location.capabilities or []),
                available=levels[location.pk],
                rank=ranks.get(location.code, 10_000),
            )
        )
    return sites


def _destination(order: Order) -> planner.Destination:
    latitude, longitude = _point(order.region_code)
    return planner.Destination(
        region_code=order.region_code,
        latitude=latitude,
        longitude=longitude,
        delivery_method=order.delivery_method,
        pickup_location_id=order.pickup_location_id,
    )


def order_allocate(*, merchant, order_id, actor: Actor = SYSTEM) -> Order | None:
    """Allocate what an order still needs. Runs when it arrives, is released, or stock is freed."""
    for _ in range(3):
        try:
            with transaction.atomic():
                return _allocate_once(merchant, order_id, actor)
        except InsufficientStock:
            continue  # the snapshot was stale: plan again with fresh levels
    return Order.objects.for_merchant(merchant).filter(pk=order_id).first()


def _allocate_once(merchant, order_id, actor: Actor) -> Order | None:
    order = locks.order_lock(merchant=merchant, order_id=order_id)
    if order is None or order.status not in ALLOCATABLE:
        return order
    policy = policy_for(merchant)
    needs, unknown = _needs(order)
    plan = planner.plan(
        needs,
        _sites(order, needs, policy),
        _destination(order),
        planner.Policy(
            prefer_nearest=policy.preference == "nearest",
            allow_split=policy.allow_split,
            ship_available=policy.shortage == ShortagePolicy.SHIP_AVAILABLE,
        ),
    )
    levels = locks.levels_lock(
        merchant=merchant, keys=sorted({(pick.location_id, pick.product_id) for pick in plan.picks}, key=str)
    )
    line_of = {need.key: need.key.split(":")[0] for need in needs}
    codes = dict(Location.objects.for_merchant(merchant).values_list("pk", "code"))
    for pick in plan.picks:
        level_change(
            levels[(pick.location_id, pick.product_id)],
            MoveKind.ALLOCATION,
            actor,
            allocated=pick.quantity,
            order=order,
            reason="; ".join(plan.reasons),
            guard_available=True,
        )
        Allocation.objects.create(
            merchant=merchant,
            order=order,
            line_id=line_of[pick.key],
            location_id=pick.location_id,
            product_id=pick.product_id,
            quantity=pick.quantity,
            reason="; ".join(plan.reasons)[:500],
        )
    _settle(order, plan, unknown, actor, codes)
    return order


def _settle(order: Order, plan: planner.Plan, unknown: int, actor: Actor, codes: dict) -> None:
    """Set allocated / partially_allocated / backordered and the insufficient_stock issue from holdings"""
    needs, _ = _needs(order)
    missing = sum(need.quantity for need in needs) + unknown
    held = order.allocations.filter(status__in=[AllocationStatus.ACTIVE, AllocationStatus.SHIPPED]).exists()
    target = (
        OrderStatus.ALLOCATED
        if not missing
        else OrderStatus.PARTIALLY_ALLOCATED
        if held
        else OrderStatus.BACKORDERED
    )
    open_issue = order.issues.filter(code="insufficient_stock", resolved_at__isnull=True)
    if missing and not open_issue.exists() and (needs or not unknown):
        issue_add(order=order, code="insufficient_stock", message=f"{missing} unit(s) could not be allocated")
    elif not missing:
        open_issue.update(resolved_at=order.updated_at)
    summary = "; ".join(plan.reasons) or ("waiting for stock" if missing else "")
    if target != order.status:
        order_transition(
            merchant=order.merchant,
            order_id=order.pk,
            to=target,
            actor=actor,
            kind=target,
            message=_allocation_message(order, codes),
            reason=summary,
        )
        order.status = target
    elif plan.picks:
        event_record(
            order=order,
            kind="allocated_more",
            message=_allocation_message(order, codes),
            actor=actor,
            reason=summary,
        )


def _allocation_message(order: Order, codes: dict) -> str:
    rows = (
        order.allocations.filter(status=AllocationStatus.ACTIVE)
        .values("location_id")
        .annotate(units=Sum("quantity"))
    )
    parts = [f"{codes.get(row['location_id'], '?')} × {row['units']}" for row in rows]
    return ("Allocated: " + ", ".join(parts)) if parts else "Waiting for stock"


def order_release(*, merchant, order_id, actor: Actor = SYSTEM, reason: str = "") -> list:
    """Give back every active allocation of an order (cancelled, held, changed). Returns freed product ids."""
    with transaction.atomic():
        order = locks.order_lock(merchant=merchant, order_id=order_id)
        if order is None:
            return []
        active = list(order.allocations.filter(status=AllocationStatus.ACTIVE))
        if not active:
            return []
        levels = locks.levels_lock(
            merchant=merchant, keys=sorted({(a.location_id, a.product_id) for a in active}, key=str)
        )
        for allocation in active:
            level_change(
                levels[(allocation.location_id, allocation.product_id)],
                MoveKind.RELEASE,
                actor,
                allocated=-allocation.quantity,
                order=order,
                reason=reason,
            )
        Allocation.objects.filter(pk__in=[a.pk for a in active]).update(status=AllocationStatus.RELEASED)
        event_record(
            order=order,
            kind="stock_released",
            message=f"{len(active)} allocation(s) released",
            actor=actor,
            reason=reason,
        )
        freed = sorted({a.product_id for a in active}, key=str)
        events.publish_stock_changed(merchant_id=merchant.pk, product_ids=freed)
        transaction.on_commit(lambda: _backorders_later(merchant.pk, freed))
    return freed


def _backorders_later(merchant_id, product_ids) -> None:
    from inventory.tasks import backorders_allocate_task

    backorders_allocate_task.delay(str(merchant_id), [str(pk) for pk in product_ids])


def allocations_take_back(*, merchant, location, product, units: int, actor: Actor) -> list:
    """Free ``units`` at one level (a count found fewer): low priority, newest allocations give way first."""
    affected = []
    candidates = (
        Allocation.objects.for_merchant(merchant)
        .filter(location=location, product=product, status=AllocationStatus.ACTIVE)
        .annotate(rank=priority_rank("order__priority"))
        .order_by("-rank", "-order__placed_at")
    )
    for allocation in candidates:
        if units <= 0:
            break
        with transaction.atomic():
            order = locks.order_lock(merchant=merchant, order_id=allocation.order_id)
            current = Allocation.objects.select_for_update().get(pk=allocation.pk)
            if current.status != AllocationStatus.ACTIVE:
                continue
            level = locks.levels_lock(merchant=merchant, keys=[(location.pk, product.pk)])[
                (location.pk, product.pk)
            ]
            give = min(units, current.quantity)
            level_change(
                level,
                MoveKind.RELEASE,
                actor,
                allocated=-give,
                order=order,
                reason="stock count found fewer units",
            )
            if give == current.quantity:
                Allocation.objects.filter(pk=current.pk).update(status=AllocationStatus.RELEASED)
            else:
                Allocation.objects.filter(pk=current.pk).update(quantity=current.quantity - give)
            units -= give
            event_record(
                order=order,
                kind="stock_taken_back",
                actor=actor,
                message=f"{give} × {product.sku} at {location.code} taken back: the count found fewer",
            )
            _settle(order, planner.Plan(), 0, actor, {location.pk: location.code})
            affected.append(order.pk)
    for order_id in affected:
        transaction.on_commit(lambda order_id=order_id: _allocate_later(merchant.pk, order_id))
    return affected


def _allocate_later(merchant_id, order_id) -> None:
    from inventory.tasks import order_allocate_task

    order_allocate_task.delay(merchant_id=str(merchant_id), order_id=str(order_id), event="stock.taken_back")


def order_stock_ship(*, merchant, order_id, actor: Actor = SYSTEM) -> int:
    """The goods of an order's active allocations left their locations: on hand and allocated both go down."""
    with transaction.atomic():
        order = locks.order_lock(merchant=merchant, order_id=order_id)
        active = list(order.allocations.filter(status=AllocationStatus.ACTIVE)) if order else []
        if not active:
            return 0
        levels = locks.levels_lock(
            merchant=merchant, keys=sorted({(a.location_id, a.product_id) for a in active}, key=str)
        )
        for allocation in active:
            level_change(
                levels[(allocation.location_id, allocation.product_id)],
                MoveKind.SHIPMENT,
                actor,
                on_hand=-allocation.quantity,
                allocated=-allocation.quantity,
                order=order,
            )
        Allocation.objects.filter(pk__in=[a.pk for a in active]).update(status=AllocationStatus.SHIPPED)
        events.publish_stock_changed(merchant_id=merchant.pk, product_ids=[a.product_id for a in active])
        return sum(a.quantity for a in active)


def backorders_allocate(*, merchant, product_ids: list | None = None, limit: int = 200) -> int:
    """Give waiting orders their turn: priority first, then first come, first served."""
    waiting = Order.objects.for_merchant(merchant).filter(
        status__in=[OrderStatus.BACKORDERED, OrderStatus.PARTIALLY_ALLOCATED]
    )
    if product_ids:
        bundles = (
            BundleComponent.objects.for_merchant(merchant)
            .filter(component_id__in=product_ids)
            .values("bundle_id")
        )
        waiting = waiting.filter(
            Q(lines__product_id__in=product_ids) | Q(lines__product_id__in=bundles)
        ).distinct()
    ids = list(
        waiting.annotate(rank=priority_rank())
        .order_by("rank", "placed_at", "created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in ids:
        order_allocate(merchant=merchant, order_id=order_id)
    return len(ids)


def allocations_of(order: Order) -> list[dict]:
    rows = (
        order.allocations.filter(status__in=[AllocationStatus.ACTIVE, AllocationStatus.SHIPPED])
        .values("location__code", "product__sku")
        .annotate(units=Sum("quantity"))
        .order_by("location__code", "product__sku")
    )
    return [
        {"warehouse": r["location__code"], "sku": r["product__sku"], "quantity": r["units"]} for r in rows
    ]
