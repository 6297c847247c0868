"""Replenishment: reorder suggestions, low-stock alerts and transfer suggestions between locations.

Reads (``*_list``, ``sales_units``) run a fixed number of grouped queries whatever the catalog size.
Writes (``replenishment_alerts_scan``, ``transfer_suggestion_apply``) own their transactions; stock itself
only ever moves through ``inventory.services.stock``.

The purchase arithmetic, per SKU over the merchant's active locations::

    velocity  = units ordered in the last 28 days (order lines of orders not cancelled; a bundle sold
                counts for its components) / 28
    position  = on hand - allocated + on order            (on order is 0 until purchase orders exist)
    need      = velocity x (lead time + review period of 7 days) + safety stock - position
    suggested = max(0, need) rounded up to a whole number of packs

``position`` is what the formula's "available" means: the safety stock is added once, on the demand side, so
it is not also subtracted from the stock (the ledger's ``available`` already takes it off).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from inventory.models import ReplenishmentAlert, StockLevel, SupplierProduct
from inventory.services.stock import stock_transfer
from oms.catalog.models import BundleComponent, Product
from oms.core.actors import Actor
from oms.core.errors import Conflict, NotFound
from oms.orders.models import OrderLine, OrderStatus
from oms.tenancy.models import ADMIN_ROLES, Membership

logger = logging.getLogger(__name__)

SALES_DAYS = 28
REVIEW_DAYS = 7
DEFAULT_LEAD_TIME_DAYS = 7


# --- Reads ------------------------------------------------------------------------------------------------


def effective_reorder_point(level_reorder_point: int | None, product_reorder_point: int) -> int:
    """A location's own reorder point when it has one, else the product's default."""
    return product_reorder_point if level_reorder_point is None else level_reorder_point


def free_units(on_hand: int, allocated: int, safety: int) -> int:
    """The ledger's ``available``: what can still be allocated."""
    return max(0, on_hand - allocated - safety)


def is_low(available: int, reorder_point: int, safety: int) -> bool:
    """The stock grid's highlight: at or below the reorder point, or at or below the safety stock."""
    return available <= reorder_point or available <= safety


def bundles_of(merchant):
    """Products that are bundles (they hold no stock of their own: their components do)."""
    return BundleComponent.objects.for_merchant(merchant).values("bundle_id")


def sales_units(*, merchant, until: datetime | None = None, days: int = SALES_DAYS) -> dict:
    """Units ordered per product in ``days`` days before ``until``; cancelled orders do not count.

    A bundle's line counts for the bundle and for each component (times its quantity in the bundle).
    """
    until = until or timezone.now()
    rows = (
        OrderLine.objects.for_merchant(merchant)
        .filter(
            product__isnull=False,
            order__placed_at__gte=until - timedelta(days=days),
            order__placed_at__lt=until,
        )
        .exclude(order__status=OrderStatus.CANCELLED)
        .values("product_id")
        .annotate(units=Sum("quantity"))
    )
    units = defaultdict(int)
    for row in rows:
        units[row["product_id"]] += row["units"]
    sold_bundles = dict(units)
    for bundle_id, component_id, quantity in (
        BundleComponent.objects.for_merchant(merchant)
        .filter(bundle_id__in=list(sold_bundles))
        .values_list("bundle_id", "component_id", "quantity")
    ):
        units[component_id] += sold_bundles[bundle_id] * quantity
    return dict(units)


@dataclass(frozen=True)
class Suggestion:
    """One SKU's reorder suggestion with every figure behind it."""

    product_id: object
    sku: str
    title: str
    supplier_id: object | None
    supplier_name: str
    supplier_sku: str
    units_sold: int
    velocity: Decimal
    lead_time_days: int
    lead_time_is_default: bool
    review_days: int
    safety: int
    on_hand: int
    allocated: int
    on_order: int
    pack_size: int
    unit_cost: Decimal | None
    currency: str

    @property
    def position(self) -> int:
        return self.on_hand - self.allocated + self.on_order

    @property
    def need(self) -> Decimal:
        return self.velocity * (self.lead_time_days + self.review_days) + self.safety - self.position

    @property
    def suggested(self) -> int:
        if self.need <= 0:
            return 0
        return math.ceil(math.ceil(self.need) / self.pack_size) * self.pack_size

    @property
    def packs(self) -> int:
        return self.suggested // self.pack_size

    @property
    def velocity_display(self) -> Decimal:
        return self.velocity.quantize(Decimal("0.01"))

    @property
    def need_display(self) -> Decimal:
        return self.need.quantize(Decimal("0.01"))

    @property
    def cost(self) -> Decimal | None:
        if self.unit_cost is None:
            return None
        return (self.unit_cost * self.suggested).quantize(Decimal("0.01"))


def _chosen_links(merchant, product_ids=None) -> dict:
    """Per product, the supplier we buy it from: shortest lead time, then cheapest, then by name."""
    links = (
        SupplierProduct.objects.for_merchant(merchant)
        .filter(supplier__active=True)
        .select_related("supplier")
    )
    if product_ids is not None:
        links = links.filter(product_id__in=product_ids)
    chosen = {}
    for link in sorted(links, key=lambda x: (x.effective_lead_time, x.unit_cost, x.supplier.name, str(x.pk))):
        chosen.setdefault(link.product_id, link)
    return chosen


def stock_totals(*, merchant, product_ids=None) -> dict:
    """Per product: on hand, allocated and safety summed over the merchant's active locations."""
    levels = StockLevel.objects.for_merchant(merchant).filter(location__active=True)
    if product_ids is not None:
        levels = levels.filter(product_id__in=product_ids)
    return {
        row["product_id"]: row
        for row in levels.values("product_id").annotate(
            on_hand=Sum("on_hand"), allocated=Sum("allocated"), safety=Sum("safety")
        )
    }


def purchase_suggestion_list(
    *, merchant, now: datetime | None = None, supplier=None, search: str = "", only_needed: bool = False
) -> list[Suggestion]:
    """Suggestions for the merchant's active SKUs (bundles excluded), most to order first.

    With ``supplier``: only the SKUs that supplier delivers (each still computed with its chosen supplier).
    """
    products = (
        Product.objects.for_merchant(merchant).filter(is_active=True).exclude(pk__in=bundles_of(merchant))
    )
    if supplier is not None:
        products = products.filter(
            pk__in=SupplierProduct.objects.for_merchant(merchant)
            .filter(supplier=supplier)
            .values("product_id")
        )
    if search:
        products = products.filter(Q(sku__icontains=search) | Q(title__icontains=search) | Q(barcode=search))
    products = list(products.values("pk", "sku", "title"))
    ids = [row["pk"] for row in products]
    totals = stock_totals(merchant=merchant, product_ids=ids)
    sold = sales_units(merchant=merchant, until=now)
    links = _chosen_links(merchant, ids)
    rows = []
    for product in products:
        link = links.get(product["pk"])
        total = totals.get(product["pk"], {})
        units = sold.get(product["pk"], 0)
        rows.append(
            Suggestion(
                product_id=product["pk"],
                sku=product["sku"],
                title=product["title"],
                supplier_id=link.supplier_id if link else None,
                supplier_name=link.supplier.name if link else "",
                supplier_sku=link.supplier_sku if link else "",
                units_sold=units,
                velocity=Decimal(units) / SALES_DAYS,
                lead_time_days=link.effective_lead_time if link else DEFAULT_LEAD_TIME_DAYS,
                lead_time_is_default=link is None,
                review_days=REVIEW_DAYS,
                safety=total.get("safety") or 0,
                on_hand=total.get("on_hand") or 0,
                allocated=total.get("allocated") or 0,
                on_order=0,
                pack_size=link.pack_size if link else 1,
                unit_cost=link.unit_cost if link else None,
                currency=link.supplier.currency if link else merchant.currency,
            )
        )
    if only_needed:
        rows = [row for row in rows if row.suggested > 0]
    return sorted(rows, key=lambda row: (-row.suggested, row.sku))


def purchase_list_for_supplier(*, merchant, supplier, now: datetime | None = None) -> list[Suggestion]:
    """What to order from one supplier: the SKUs it is the chosen supplier of, with something to order."""
    return [
        row
        for row in purchase_suggestion_list(merchant=merchant, supplier=supplier, now=now)
        if row.supplier_id == supplier.pk and row.suggested > 0
    ]


def _low_keys(merchant, product_ids=None) -> dict:
    """(product, location) pairs below their reorder point now; (product, None) for SKUs stocked nowhere."""
    bundles = bundles_of(merchant)
    levels = (
        StockLevel.objects.for_merchant(merchant)
        .filter(location__active=True, product__is_active=True)
        .exclude(product_id__in=bundles)
    )
    products = (
        Product.objects.for_merchant(merchant)
        .filter(is_active=True, reorder_point__gt=0)
        .exclude(pk__in=bundles)
        .exclude(Exists(StockLevel.objects.filter(product_id=OuterRef("pk"), location__active=True)))
    )
    if product_ids is not None:
        levels = levels.filter(product_id__in=product_ids)
        products = products.filter(pk__in=product_ids)
    low = {}
    for product_id, location_id, on_hand, allocated, safety, own, default in levels.values_list(
        "product_id",
        "location_id",
        "on_hand",
        "allocated",
        "safety",
        "reorder_point",
        "product__reorder_point",
    ):
        reorder_point = effective_reorder_point(own, default)
        available = free_units(on_hand, allocated, safety)
        if reorder_point > 0 and available < reorder_point:
            low[(product_id, location_id)] = (available, reorder_point)
    for product_id, reorder_point in products.values_list("pk", "reorder_point"):
        low[(product_id, None)] = (0, reorder_point)
    return low


def alert_list(*, merchant, open_only: bool = True):
    alerts = ReplenishmentAlert.objects.for_merchant(merchant).select_related("product", "location")
    if open_only:
        alerts = alerts.filter(resolved_at__isnull=True)
    return alerts.order_by("product__sku", "location__code")


@dataclass(frozen=True)
class TransferSuggestion:
    product_id: object
    sku: str
    title: str
    source: str
    destination: str
    quantity: int
    source_available: int
    source_reorder_point: int
    destination_available: int
    destination_reorder_point: int


def transfer_suggestion_list(*, merchant, product_ids=None) -> list[TransferSuggestion]:
    """Locations below their reorder point, served from locations with units above their own.

    Per SKU the neediest location is served first, from the location with the largest surplus first; a
    transfer brings the destination up to its reorder point and never takes the source below its own.
    """
    levels = (
        StockLevel.objects.for_merchant(merchant)
        .filter(location__active=True, product__is_active=True)
        .exclude(product_id__in=bundles_of(merchant))
        .select_related("location", "product")
    )
    if product_ids is not None:
        levels = levels.filter(product_id__in=product_ids)
    by_product = defaultdict(list)
    for level in levels:
        by_product[level.product_id].append(level)
    found = []
    for rows in by_product.values():
        figures = [
            (
                level,
                level.available,
                effective_reorder_point(level.reorder_point, level.product.reorder_point),
            )
            for level in rows
        ]
        needy = sorted(
            (
                (level, point - free, free, point)
                for level, free, point in figures
                if point > 0 and free < point
            ),
            key=lambda item: (-item[1], item[0].location.code),
        )
        donors = sorted(
            ([level, free - point, free, point] for level, free, point in figures if free > point),
            key=lambda item: (-item[1], item[0].location.code),
        )
        for level, need, free, point in needy:
            for donor in donors:
                if need <= 0:
                    break
                give = min(need, donor[1])
                if give <= 0:
                    continue
                found.append(
                    TransferSuggestion(
                        product_id=level.product_id,
                        sku=level.product.sku,
                        title=level.product.title,
                        source=donor[0].location.code,
                        destination=level.location.code,
                        quantity=give,
                        source_available=donor[2],
                        source_reorder_point=donor[3],
                        destination_available=free,
                        destination_reorder_point=point,
                    )
                )
                donor[1] -= give
                need -= give
    return sorted(found, key=lambda s: (s.sku, s.destination, s.source))


# --- Writes -----------------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    raised: list = field(default_factory=list)
    resolved: int = 0


def replenishment_alerts_scan(*, merchant, product_ids=None, now: datetime | None = None) -> ScanResult:
    """Raise an alert for each product and location newly below its reorder point (once: a partial unique
    constraint keeps one open alert per pair), resolve those whose stock returned, and mail the purchasing
    roles about the new ones after commit. Safe to run at any time, as often as wanted, concurrently."""
    now = now or timezone.now()
    result = ScanResult()
    if merchant is None:
        return result
    with transaction.atomic():
        low = _low_keys(merchant, product_ids)
        current = ReplenishmentAlert.objects.for_merchant(merchant).filter(resolved_at__isnull=True)
        if product_ids is not None:
            current = current.filter(product_id__in=product_ids)
        current = list(current)
        gone = [alert.pk for alert in current if (alert.product_id, alert.location_id) not in low]
        result.resolved = (
            ReplenishmentAlert.objects.filter(pk__in=gone, resolved_at__isnull=True).update(resolved_at=now)
            if gone
            else 0
        )
        changed = []
        for alert in current:
            figures = low.get((alert.product_id, alert.location_id))
            if figures and figures != (alert.available, alert.reorder_point):
                alert.available, alert.reorder_point = figures
                changed.append(alert)
        if changed:
            ReplenishmentAlert.objects.bulk_update(changed, ["available", "reorder_point", "updated_at"])
        have = {(alert.product_id, alert.location_id) for alert in current}
        fresh = [
            ReplenishmentAlert(
                merchant=merchant,
                product_id=product_id,
                location_id=location_id,
                available=available,
                reorder_point=reorder_point,
            )
            for (product_id, location_id), (available, reorder_point) in sorted(low.items(), key=str)
            if (product_id, location_id) not in have
        ]
        if fresh:
            ReplenishmentAlert.objects.bulk_create(fresh, ignore_conflicts=True)
            result.raised = list(
                ReplenishmentAlert.objects.filter(pk__in=[alert.pk for alert in fresh]).values_list(
                    "pk", flat=True
                )
            )
        if result.raised:
            raised = [str(pk) for pk in result.raised]
            transaction.on_commit(lambda: _notify_later(merchant.pk, raised))
    if result.raised or result.resolved:
        logger.info(
            "inventory.replenishment.scanned",
            extra={"merchant": str(merchant.pk), "raised": len(result.raised), "resolved": result.resolved},
        )
    return result


def _notify_later(merchant_id, alert_ids: list[str]) -> None:
    from inventory.tasks import replenishment_alerts_notify_task

    replenishment_alerts_notify_task.delay(str(merchant_id), alert_ids)


def purchasing_emails(*, merchant) -> list[str]:
    """The purchasing role: the merchant's active owners and managers."""
    return sorted(
        set(
            Membership.objects.for_merchant(merchant)
            .filter(is_active=True, role__in=ADMIN_ROLES, user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def alerts_notify(*, merchant, alert_ids: list) -> int:
    """One email to the purchasing role listing new alerts (a task, enqueued after the alerts are committed).
    Alerts resolved meanwhile are left out."""
    if merchant is None:
        return 0
    alerts = list(alert_list(merchant=merchant).filter(pk__in=alert_ids))
    recipients = purchasing_emails(merchant=merchant)
    if not alerts or not recipients:
        return 0
    lines = [
        f"- {alert.product.sku} {alert.product.title} @ "
        f"{alert.location.code if alert.location else 'all locations'}:"
        f" available {alert.available}, reorder point {alert.reorder_point}"
        for alert in alerts
    ]
    body = (
        f"{len(alerts)} SKU(s) of {merchant.name} fell below their reorder point:\n\n"
        + "\n".join(lines)
        + "\n\nSuggested quantities: Inventory > Purchasing (/inventory/purchasing/).\n"
    )
    return send_mail(
        f"[{merchant.name}] Stock below reorder point: {len(alerts)} SKU(s)", body, None, recipients
    )


def alert_acknowledge(*, merchant, alert_id, actor: Actor) -> ReplenishmentAlert:
    """Someone has seen the alert (and ordered, say); it stays open until the stock returns."""
    alerts = ReplenishmentAlert.objects.for_merchant(merchant)
    alert = alerts.filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("no such alert")
    with transaction.atomic():
        alerts.filter(pk=alert_id, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=actor.label[:200]
        )
    alert.refresh_from_db()
    return alert


def transfer_suggestion_apply(
    *, merchant, sku: str, source: str, destination: str, quantity: int, actor: Actor
) -> int:
    """Perform a suggested transfer, as suggested now (a stale page cannot move more than is suggested).

    Returns the units moved; Conflict when the suggestion no longer applies.
    """
    product = Product.objects.for_merchant(merchant).filter(sku=sku).first()
    if product is None:
        raise NotFound(f"unknown SKU {sku!r}", fields={"sku": ["unknown"]})
    current = next(
        (
            s
            for s in transfer_suggestion_list(merchant=merchant, product_ids=[product.pk])
            if s.source == source and s.destination == destination
        ),
        None,
    )
    if current is None:
        raise Conflict("this transfer is no longer suggested: stock has changed", code="stale_suggestion")
    units = min(quantity, current.quantity)
    stock_transfer(
        merchant=merchant,
        source=source,
        destination=destination,
        sku=sku,
        quantity=units,
        actor=actor,
        reason="suggested transfer: destination below its reorder point",
    )
    replenishment_alerts_scan(merchant=merchant, product_ids=[product.pk])
    return units
