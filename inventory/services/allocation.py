"""The allocation engine: plans with ``inventory.planner`` and reserves stock with the ledger service.

Locks: the order row, then every level of its products at the active locations, in id order
(``inventory.locks``). The plan is made from those locked rows, so it always fits; each reservation is still a
conditional UPDATE (``level_change(guard_available=True)``) backed by the table's check constraints, so no
interleaving of web and worker processes can allocate a unit twice or take ``available`` below zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from inventory import locks, planner
from inventory.models import (
    Allocation,
    AllocationPolicy,
    AllocationStatus,
    MoveKind,
    Preference,
    ShortagePolicy,
)
from inventory.services.stock import InsufficientStock, level_change
from oms.catalog.models import BundleComponent
from oms.core import divisions
from oms.core.actors import Actor
from oms.locations.models import Location
from oms.orders import events
from oms.orders.models import Order, OrderStatus
from oms.orders.services import event_record, issue_add, order_transition
from oms.orders.transitions import can_transition

ALLOCATABLE = frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_ALLOCATED, OrderStatus.BACKORDERED})
SETTLEABLE = ALLOCATABLE | {OrderStatus.ALLOCATED}
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


@dataclass
class _Holding:
    """Where an order stands: what its lines still need (bundles expanded), units with no known product,
    whether it holds anything (active or shipped) and its active units per location."""

    needs: list[planner.Need]
    unknown: int
    held_any: bool
    active: dict = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return sum(need.quantity for need in self.needs) + self.unknown


def _holding(order: Order, merchant) -> _Holding:
    lines = list(order.lines.select_related("product"))
    taken = defaultdict(int)
    active = defaultdict(int)
    held_any = False
    for line_id, product_id, location_id, quantity, status in order.allocations.filter(
        status__in=[AllocationStatus.ACTIVE, AllocationStatus.SHIPPED]
    ).values_list("line_id", "product_id", "location_id", "quantity", "status"):
        taken[(line_id, product_id)] += quantity
        held_any = True
        if status == AllocationStatus.ACTIVE:
            active[location_id] += quantity
    bundles = _components(merchant, [line.product_id for line in lines if line.product_id])
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
    return _Holding(needs, unknown, held_any, dict(active))


def _point(region_code: str) -> tuple[float | None, float | None]:
    code = region_code or ""
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        found = divisions.by_code(candidate) if len(candidate) == 6 else None
        if found and found.latitude is not None:
            return found.latitude, found.longitude
    return None, None


def _locations(order: Order, policy: AllocationPolicy) -> list[Location]:
    """The merchant's active locations; an order that may not be split and holds stock somewhere already is
    only served from there."""
    locations = Location.objects.for_merchant(order.merchant).filter(active=True)
    if not policy.allow_split:
        holding = set(
            order.allocations.filter(status=AllocationStatus.ACTIVE).values_list("location_id", flat=True)
        )
        if holding:
            locations = locations.filter(pk__in=holding)
    return list(locations)


def _sites(
    order: Order,
    needs: list[planner.Need],
    policy: AllocationPolicy,
    levels: list,
    exclude=frozenset(),
    locations: list | None = None,
) -> list[planner.Site]:
    """The ``locations`` (default ``_locations``) and what each can give this order from the locked levels.

    Free units are ``on_hand - allocated - safety``, less the units kept back from the order's channel; a
    ``(location, product)`` in ``exclude`` gives nothing (an older backorder claims it).
    """
    if locations is None:
        locations = _locations(order, policy)
    product_ids = {need.product_id for need in needs}
    holdback = int((policy.channel_holdback or {}).get(str(order.channel_id), 0))
    ranks = {code: index for index, code in enumerate(policy.location_priority or [])}
    free = defaultdict(dict)
    for level in levels:
        if level.product_id in product_ids and (level.location_id, level.product_id) not in exclude:
            units = level.on_hand - level.allocated - level.safety - holdback
            if units > 0:
                free[level.location_id][level.product_id] = units
    sites = []
    for location in locations:
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
                available=free[location.pk],
                rank=ranks.get(location.code, planner.NO_RANK),
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
    return _allocate(merchant, order_id, actor)[0]


def _allocate(merchant, order_id, actor: Actor, exclude=frozenset()) -> tuple[Order | None, set]:
    """Allocate one order; also returns the ``(location, product)`` pairs it is still waiting for."""
    for _ in range(3):
        try:
            with transaction.atomic():
                return _allocate_once(merchant, order_id, actor, exclude)
        except InsufficientStock:
            continue  # cannot happen while planning from locked levels; a plan is never forced through
    return Order.objects.for_merchant(merchant).filter(pk=order_id).first(), set()


def _allocate_once(merchant, order_id, actor: Actor, exclude) -> tuple[Order | None, set]:
    order = locks.order_lock(merchant=merchant, order_id=order_id)
    if order is None or order.status not in ALLOCATABLE:
        return order, set()
    order.merchant = merchant
    policy = policy_for(merchant)
    before = _holding(order, merchant)
    needs = before.needs
    locations = _locations(order, policy)
    levels = locks.levels_lock_products(merchant=merchant, product_ids={need.product_id for need in needs})
    sites = _sites(order, needs, policy, levels, exclude, locations)
    destination = _destination(order)
    plan = planner.plan(
        needs,
        sites,
        destination,
        planner.Policy(
            prefer_nearest=policy.preference == Preference.NEAREST,
            allow_split=policy.allow_split,
            ship_available=policy.shortage == ShortagePolicy.SHIP_AVAILABLE,
        ),
    )
    by_key = {(level.location_id, level.product_id): level for level in levels}
    reason = "; ".join(plan.reasons)
    active = defaultdict(int, before.active)
    for pick in plan.picks:
        level_change(
            by_key[(pick.location_id, pick.product_id)],
            MoveKind.ALLOCATION,
            actor,
            allocated=pick.quantity,
            order=order,
            reason=reason,
            guard_available=True,
        )
        active[pick.location_id] += pick.quantity
    Allocation.objects.bulk_create(
        Allocation(
            merchant=merchant,
            order=order,
            line_id=pick.key.split(":")[0],
            location_id=pick.location_id,
            product_id=pick.product_id,
            quantity=pick.quantity,
            reason=reason[:500],
        )
        for pick in plan.picks
    )
    after = _Holding(
        needs=[replace(need, quantity=plan.short[need.key]) for need in needs if plan.short.get(need.key)],
        unknown=before.unknown,
        held_any=before.held_any or bool(plan.picks),
        active=dict(active),
    )
    codes = {location.pk: location.code for location in locations}
    if not set(active) <= set(codes):
        codes = _codes(merchant)
    _settle(order, plan, actor, codes, after)
    if plan.picks:  # available went down: channels' stock figures and reorder points must hear of it
        events.publish_stock_changed(
            merchant_id=merchant.pk, product_ids=[pick.product_id for pick in plan.picks]
        )
    return order, _claims(needs, plan, sites, destination)


def _claims(needs, plan: planner.Plan, sites, destination) -> set:
    """Where an order waits: for each product it is short of and cannot get from the free units it may use,
    the locations it may use: newer backorders do not take those units first (first come, first served)."""
    taken = defaultdict(int)
    for pick in plan.picks:
        taken[(pick.location_id, pick.product_id)] += pick.quantity
    claims = set()
    for need in needs:
        short = plan.short.get(need.key, 0)
        if not short:
            continue
        usable = [site for site in sites if planner.eligible(site, need, destination)]
        left = sum(
            site.available.get(need.product_id, 0) - taken[(site.location_id, need.product_id)]
            for site in usable
        )
        if left < short:
            claims |= {(site.location_id, need.product_id) for site in usable}
    return claims


def _codes(merchant) -> dict:
    return dict(Location.objects.for_merchant(merchant).values_list("pk", "code"))


def _settle(
    order: Order, plan: planner.Plan, actor: Actor, codes: dict, state: _Holding | None = None
) -> None:
    """Set allocated / partially_allocated / backordered and the insufficient_stock issue from holdings."""
    state = state or _holding(order, order.merchant)
    needs, unknown, missing = state.needs, state.unknown, state.missing
    target = (
        OrderStatus.ALLOCATED
        if not missing
        else OrderStatus.PARTIALLY_ALLOCATED
        if state.held_any
        else OrderStatus.BACKORDERED
    )
    summary = "; ".join(plan.reasons) or ("waiting for stock" if missing else "")
    if order.status not in SETTLEABLE:  # on hold, cancelled, shipping…: its status is not allocation's to set
        event_record(
            order=order,
            kind="allocation_changed",
            message=_allocation_message(state.active, codes),
            actor=actor,
            reason=summary,
        )
        return
    open_issue = order.issues.filter(code="insufficient_stock", resolved_at__isnull=True)
    if missing and not open_issue.exists() and (needs or not unknown):
        issue_add(order=order, code="insufficient_stock", message=f"{missing} unit(s) could not be allocated")
    elif not missing:
        open_issue.update(resolved_at=timezone.now())
    if target != order.status and not can_transition(order.status, target):
        order_transition(  # allocated → backordered goes back through allocation
            merchant=order.merchant,
            order_id=order.pk,
            to=OrderStatus.NEW,
            actor=actor,
            kind="reallocating",
            message="Back to allocation",
            reason=summary,
        )
        order.status = OrderStatus.NEW
    if target != order.status:
        order_transition(
            merchant=order.merchant,
            order_id=order.pk,
            to=target,
            actor=actor,
            kind=target,
            message=_allocation_message(state.active, codes),
            reason=summary,
        )
        order.status = target
    elif plan.picks:
        event_record(
            order=order,
            kind="allocated_more",
            message=_allocation_message(state.active, codes),
            actor=actor,
            reason=summary,
        )


def _allocation_message(active: dict, codes: dict) -> str:
    parts = sorted(
        f"{codes.get(location_id, '?')} × {units}" for location_id, units in active.items() if units
    )
    return ("Allocated: " + ", ".join(parts)) if parts else "Waiting for stock"


def order_release(*, merchant, order_id, actor: Actor = SYSTEM, reason: str = "") -> list:
    """Give back every active allocation of an order (cancelled, held, changed). Returns freed product ids.

    An order still counted as allocated goes back to allocation (``new``), so its status never claims stock it
    no longer holds."""
    return _release(merchant, order_id, actor, reason)


def order_release_stopped(*, merchant, order_id, actor: Actor = SYSTEM, reason: str = "") -> list:
    """Release an order's stock if it is (still) cancelled or on hold: a release that arrives after the order
    was released from hold and allocated again leaves that allocation alone."""
    return _release(merchant, order_id, actor, reason, only={OrderStatus.CANCELLED, OrderStatus.ON_HOLD})


def _release(merchant, order_id, actor: Actor, reason: str, only=None) -> list:
    with transaction.atomic():
        order = locks.order_lock(merchant=merchant, order_id=order_id)
        if order is None or (only is not None and order.status not in only):
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
        if order.status in (OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_ALLOCATED):
            order_transition(
                merchant=merchant,
                order_id=order.pk,
                to=OrderStatus.NEW,
                actor=actor,
                kind="reallocating",
                message="Back to allocation",
                reason=reason,
            )
            transaction.on_commit(lambda: _allocate_later(merchant.pk, order.pk))
        freed = sorted({a.product_id for a in active}, key=str)
        events.publish_stock_changed(merchant_id=merchant.pk, product_ids=freed)
        transaction.on_commit(lambda: _backorders_later(merchant.pk, freed))
    return freed


def _backorders_later(merchant_id, product_ids) -> None:
    from inventory.tasks import backorders_allocate_task

    backorders_allocate_task.delay(str(merchant_id), [str(pk) for pk in product_ids])


def allocations_take_back(*, merchant, location, product, units: int, actor: Actor) -> list:
    """Free ``units`` at one level (a count found fewer): low priority, newest allocations give way first.

    Runs inside the caller's transaction (the count), so nobody can take the freed units before the count
    lands. The level is locked first; the orders are then locked with SKIP LOCKED (see ``inventory.locks``),
    so an order busy elsewhere is passed over rather than waited for. Returns the ids of the orders affected;
    after commit they go back to allocation with the other waiting orders of the product.
    """
    with transaction.atomic():
        level = locks.levels_lock(merchant=merchant, keys=[(location.pk, product.pk)])[
            (location.pk, product.pk)
        ]
        candidates = list(
            Allocation.objects.for_merchant(merchant)
            .filter(location=location, product=product, status=AllocationStatus.ACTIVE)
            .annotate(rank=priority_rank("order__priority"))
            .order_by("-rank", "-order__placed_at", "-created_at")
        )
        orders = locks.orders_lock(
            merchant=merchant, order_ids={a.order_id for a in candidates}, skip_locked=True
        )
        affected: dict = {}
        for allocation in candidates:
            if units <= 0:
                break
            order = orders.get(allocation.order_id)
            if order is None:
                continue  # busy in another transaction: the next one gives way instead
            current = Allocation.objects.get(pk=allocation.pk)
            if current.status != AllocationStatus.ACTIVE:
                continue
            give = min(units, current.quantity)
            level = level_change(
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
            affected[order.pk] = order
        codes = _codes(merchant)
        for order in affected.values():
            _settle(order, planner.Plan(), actor, codes)
        if affected:  # back to allocation with the other waiting orders: priority first, then the oldest
            transaction.on_commit(lambda: _backorders_later(merchant.pk, [product.pk]))
    return list(affected)


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
    """Give waiting orders their turn: priority first, then first come, first served.

    An order still short of a product claims the units it could use: newer orders in this pass do not take
    them. Every release, receipt or transfer starts a new pass from the oldest, so waiting orders are served
    strictly in turn even when several passes run at once in different workers.
    """
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
    claimed: set = set()
    everywhere = (
        {
            (pk, str(p))
            for pk in Location.objects.for_merchant(merchant).filter(active=True).values_list("pk", flat=True)
            for p in product_ids
        }
        if product_ids
        else None
    )
    for order_id in ids:
        _, claims = _allocate(merchant, order_id, SYSTEM, exclude=frozenset(claimed))
        claimed |= claims
        if everywhere is not None and everywhere <= {(loc, str(p)) for loc, p in claimed}:
            break  # older orders claim every unit of what was freed: nobody after them gets any
    return len(ids)


def orders_unallocated_allocate(*, merchant, older_than, limit: int = 200) -> int:
    """Allocate orders still ``new`` after ``older_than`` (their allocation task was lost), oldest first."""
    ids = list(
        Order.objects.for_merchant(merchant)
        .filter(status=OrderStatus.NEW, created_at__lt=older_than)
        .annotate(rank=priority_rank())
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
