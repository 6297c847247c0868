"""Suppliers: their SKUs, their private read-only report link and their weekly digest email.

The report link carries a random token; only its SHA-256 is stored (like API tokens), so the link is shown
once when it is made, and revoking or regenerating it makes the old one stop working at once. A report shows
only the supplier's own SKUs: units sold, available stock per location and suggested quantities; nothing
about customers or other products.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from inventory.models import StockLevel, Supplier, SupplierProduct
from inventory.replenishment import SALES_DAYS, free_units, purchase_suggestion_list
from oms.catalog.models import Product
from oms.core.errors import Conflict, NotFound, ValidationFailed
from oms.locations.models import Location

logger = logging.getLogger(__name__)

SUPPLIER_FIELDS = (
    "name",
    "contact_name",
    "email",
    "phone",
    "lead_time_days",
    "currency",
    "notes",
    "active",
    "digest_enabled",
)
DIGEST_INTERVAL = timedelta(days=7)
DIGEST_SLACK = timedelta(hours=1)  # the beat runs every few minutes: a week is a week, give or take an hour


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _supplier(merchant, supplier_id) -> Supplier:
    supplier = Supplier.objects.for_merchant(merchant).filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFound("no such supplier")
    return supplier


def _save(supplier: Supplier) -> Supplier:
    if not supplier.name.strip():
        raise ValidationFailed("a supplier needs a name", fields={"name": ["required"]})
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as exc:
        raise Conflict(
            f"a supplier named {supplier.name!r} exists already",
            code="duplicate_name",
            fields={"name": ["taken"]},
        ) from exc
    return supplier


def supplier_create(*, merchant, **values) -> Supplier:
    supplier = Supplier(merchant=merchant, currency=merchant.currency)
    for key, value in values.items():
        if key in SUPPLIER_FIELDS:
            setattr(supplier, key, value)
    return _save(supplier)


def supplier_update(*, merchant, supplier_id, **values) -> Supplier:
    supplier = _supplier(merchant, supplier_id)
    for key, value in values.items():
        if key in SUPPLIER_FIELDS:
            setattr(supplier, key, value)
    return _save(supplier)


def supplier_product_set(
    *,
    merchant,
    supplier_id,
    sku: str,
    supplier_sku: str = "",
    pack_size: int = 1,
    lead_time_days: int | None = None,
    unit_cost: Decimal = Decimal("0"),
) -> SupplierProduct:
    """Add a SKU to a supplier, or change its terms when it is there already."""
    supplier = _supplier(merchant, supplier_id)
    product = Product.objects.for_merchant(merchant).filter(sku=sku.strip()).first()
    if product is None:
        raise NotFound(f"unknown SKU {sku!r}", fields={"sku": ["unknown"]})
    if pack_size < 1:
        raise ValidationFailed("a pack holds at least one unit", fields={"pack_size": ["positive"]})
    if unit_cost < 0:
        raise ValidationFailed("a unit cost cannot be negative", fields={"unit_cost": ["negative"]})
    with transaction.atomic():
        link, _ = SupplierProduct.objects.update_or_create(
            supplier=supplier,
            product=product,
            defaults={
                "merchant": merchant,
                "supplier_sku": supplier_sku.strip(),
                "pack_size": pack_size,
                "lead_time_days": lead_time_days,
                "unit_cost": unit_cost,
            },
        )
    return link


def supplier_product_remove(*, merchant, supplier_id, link_id) -> None:
    supplier = _supplier(merchant, supplier_id)
    with transaction.atomic():
        deleted, _ = (
            SupplierProduct.objects.for_merchant(merchant).filter(supplier=supplier, pk=link_id).delete()
        )
    if not deleted:
        raise NotFound("no such supplier SKU")


@dataclass(frozen=True)
class IssuedLink:
    supplier: Supplier
    token: str


def supplier_link_issue(*, merchant, supplier_id) -> IssuedLink:
    """A new private link (the old one, if any, stops working). The token is returned once, never stored."""
    supplier = _supplier(merchant, supplier_id)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Supplier.objects.for_merchant(merchant).filter(pk=supplier.pk).update(
            link_hash=hash_token(token), link_created_at=timezone.now()
        )
    supplier.refresh_from_db()
    return IssuedLink(supplier=supplier, token=token)


def supplier_link_revoke(*, merchant, supplier_id) -> Supplier:
    supplier = _supplier(merchant, supplier_id)
    with transaction.atomic():
        Supplier.objects.for_merchant(merchant).filter(pk=supplier.pk).update(
            link_hash=None, link_created_at=None
        )
    supplier.refresh_from_db()
    return supplier


def supplier_for_token(token: str) -> Supplier | None:
    """The active supplier (of an active merchant) whose link carries ``token``; None for anything else."""
    if not token or len(token) > 128:
        return None
    return (
        Supplier.objects.select_related("merchant")
        .filter(link_hash=hash_token(token), active=True, merchant__is_active=True)
        .first()
    )


# --- The supplier's report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    sku: str
    supplier_sku: str
    title: str
    units_sold: int
    stock: tuple  # (location code, location name, available units or None) per location of the report
    total_available: int
    suggested: int


@dataclass(frozen=True)
class SupplierReport:
    merchant_name: str
    supplier_name: str
    generated_at: datetime
    sales_days: int
    locations: tuple  # (code, name)
    rows: tuple


def supplier_report(*, supplier: Supplier, now: datetime | None = None) -> SupplierReport:
    """The figures a supplier may see: its own SKUs only, no customer data, no costs of other suppliers."""
    now = now or timezone.now()
    merchant = supplier.merchant
    suggestions = {
        row.product_id: row for row in purchase_suggestion_list(merchant=merchant, supplier=supplier, now=now)
    }
    codes = dict(
        SupplierProduct.objects.for_merchant(merchant)
        .filter(supplier=supplier, product_id__in=list(suggestions))
        .values_list("product_id", "supplier_sku")
    )
    stock = {}
    for product_id, location_id, on_hand, allocated, safety in (
        StockLevel.objects.for_merchant(merchant)
        .filter(product_id__in=list(suggestions), location__active=True)
        .values_list("product_id", "location_id", "on_hand", "allocated", "safety")
    ):
        stock[(product_id, location_id)] = free_units(on_hand, allocated, safety)
    locations = list(
        Location.objects.for_merchant(merchant)
        .filter(pk__in={location_id for _, location_id in stock})
        .order_by("code")
        .values_list("pk", "code", "name")
    )
    rows = []
    for product_id, row in sorted(suggestions.items(), key=lambda item: item[1].sku):
        per_location = tuple(
            (code, name, stock.get((product_id, location_id))) for location_id, code, name in locations
        )
        rows.append(
            ReportRow(
                sku=row.sku,
                supplier_sku=codes.get(product_id, ""),
                title=row.title,
                units_sold=row.units_sold,
                stock=per_location,
                total_available=sum(units for _, _, units in per_location if units),
                suggested=row.suggested if row.supplier_id == supplier.pk else 0,
            )
        )
    return SupplierReport(
        merchant_name=merchant.name,
        supplier_name=supplier.name,
        generated_at=now,
        sales_days=SALES_DAYS,
        locations=tuple((code, name) for _, code, name in locations),
        rows=tuple(rows),
    )


def digest_text(report: SupplierReport) -> str:
    """The weekly email: the same figures as the report page, as plain text."""
    lines = [
        f"Stock report from {report.merchant_name} for {report.supplier_name}",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC; sales over the last {report.sales_days} days.",
        "",
    ]
    if not report.rows:
        lines.append("No SKUs are listed for you yet.")
    for row in report.rows:
        code = f" (your code {row.supplier_sku})" if row.supplier_sku else ""
        lines.append(f"{row.sku}{code} {row.title}")
        lines.append(
            f"  sold: {row.units_sold}   available: {row.total_available}   suggested order: {row.suggested}"
        )
        for location_code, location_name, units in row.stock:
            if units is not None:
                lines.append(f"    {location_code} {location_name}: {units}")
    return "\n".join(lines) + "\n"


def supplier_digest_send(*, supplier_id, now: datetime | None = None) -> bool:
    """Send one supplier its weekly digest if it is due. A compare-and-set claim makes a second worker (or a
    second run) skip it; a mail server that fails gives the claim back so the next run tries again. The mail
    goes out after commit, so no lock or transaction is held while talking to the mail server."""
    now = now or timezone.now()
    due = Q(digest_last_sent_at__isnull=True) | Q(
        digest_last_sent_at__lte=now - DIGEST_INTERVAL + DIGEST_SLACK
    )
    candidates = Supplier.objects.filter(
        pk=supplier_id, active=True, digest_enabled=True, merchant__is_active=True
    )
    supplier = candidates.exclude(email="").filter(due).select_related("merchant").first()
    if supplier is None:
        return False
    previous = supplier.digest_last_sent_at
    with transaction.atomic():
        claimed = (
            Supplier.objects.filter(pk=supplier.pk, digest_last_sent_at=previous).update(
                digest_last_sent_at=now
            )
            if previous
            else Supplier.objects.filter(pk=supplier.pk, digest_last_sent_at__isnull=True).update(
                digest_last_sent_at=now
            )
        )
        if not claimed:
            return False
        report = supplier_report(supplier=supplier, now=now)
        transaction.on_commit(lambda: _digest_mail(supplier, report, previous, now))
    return True


def _digest_mail(supplier: Supplier, report: SupplierReport, previous, claimed_at) -> None:
    try:
        send_mail(
            f"[{report.merchant_name}] Weekly stock report for {report.supplier_name}",
            digest_text(report),
            None,
            [supplier.email],
        )
    except (smtplib.SMTPException, OSError):
        # the next run (a few minutes later) tries again
        Supplier.objects.filter(pk=supplier.pk, digest_last_sent_at=claimed_at).update(
            digest_last_sent_at=previous
        )
        logger.warning(
            "inventory.supplier_digest.failed", extra={"supplier": str(supplier.pk)}, exc_info=True
        )


def supplier_digests_send_due(*, now: datetime | None = None) -> int:
    """Every supplier that opted in and whose last digest is a week old (or never sent) gets one."""
    now = now or timezone.now()
    ids = list(
        Supplier.objects.filter(active=True, digest_enabled=True, merchant__is_active=True)
        .exclude(email="")
        .filter(
            Q(digest_last_sent_at__isnull=True)
            | Q(digest_last_sent_at__lte=now - DIGEST_INTERVAL + DIGEST_SLACK)
        )
        .values_list("pk", flat=True)[:500]
    )
    return sum(supplier_digest_send(supplier_id=supplier_id, now=now) for supplier_id in ids)
