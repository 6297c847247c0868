"""Stock per location and SKU, the ledger that explains every change, and allocations of stock to orders.

Invariants (checked by ``manage.py inventory_check`` and the property-based tests):
``0 <= allocated <= on_hand``; levels equal the sums of the ledger; the active allocations of a level sum
to its ``allocated``. ``available = on_hand - allocated - safety`` and no allocation ever takes it below zero.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oms.tenancy.models import TenantModel


class StockLevel(TenantModel):
    location = models.ForeignKey("locations.Location", on_delete=models.CASCADE, related_name="stock_levels")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="stock_levels")
    on_hand = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)
    safety = models.IntegerField(default=0)
    reorder_point = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "product"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stock_allocated_not_negative"),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("on_hand")), name="stock_allocated_within_on_hand"
            ),
            models.CheckConstraint(condition=Q(safety__gte=0), name="stock_safety_not_negative"),
        ]
        indexes = [models.Index(fields=["merchant", "product"], name="stock_merchant_product")]

    def __str__(self) -> str:
        return f"{self.location_id}/{self.product_id}"

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.allocated - self.safety)


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    COUNT = "count", _("Count")
    ADJUSTMENT = "adjustment", _("Adjustment")
    ALLOCATION = "allocation", _("Allocation")
    RELEASE = "release", _("Release")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    SAFETY = "safety", _("Safety stock")


class StockMove(TenantModel):
    """The ledger: one row per change of a level; levels are the running sums of these rows."""

    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MoveKind.choices)
    on_hand_delta = models.IntegerField(default=0)
    allocated_delta = models.IntegerField(default=0)
    safety_delta = models.IntegerField(default=0)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["merchant", "product", "-created_at"], name="move_product_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_delta:+}/{self.allocated_delta:+}"


class AllocationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    SHIPPED = "shipped", _("Shipped")


class Allocation(TenantModel):
    """Units of one order line reserved at one location."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="allocations")
    line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="allocations"
    )
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=AllocationStatus.choices, default=AllocationStatus.ACTIVE
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_quantity_positive")
        ]
        indexes = [
            models.Index(fields=["order", "status"], name="allocation_order_status"),
            models.Index(
                fields=["location", "product"], condition=Q(status="active"), name="allocation_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} @ {self.location_id}"


class Preference(models.TextChoices):
    FEWEST_PARCELS = "fewest_parcels", _("Fewest parcels, then nearest")
    NEAREST = "nearest", _("Nearest first, even if it splits")


class ShortagePolicy(models.TextChoices):
    WAIT_WHOLE = "wait_whole", _("Whole order waits")
    SHIP_AVAILABLE = "ship_available", _("Allocate what is there")


class AllocationPolicy(TenantModel):
    """A merchant's allocation rules (one row per merchant; defaults when absent)."""

    preference = models.CharField(
        max_length=20, choices=Preference.choices, default=Preference.FEWEST_PARCELS
    )
    allow_split = models.BooleanField(default=True)
    shortage = models.CharField(
        max_length=20, choices=ShortagePolicy.choices, default=ShortagePolicy.SHIP_AVAILABLE
    )
    location_priority = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    channel_holdback = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="allocation_policy_one_per_merchant")
        ]

    def __str__(self) -> str:
        return f"policy {self.merchant_id}"


# --- Replenishment and suppliers ------------------------------------------------------------------------


class Supplier(TenantModel):
    """Someone the merchant buys from. Its private report link is stored only as a SHA-256 of the token."""

    name = models.CharField(_("name"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    digest_enabled = models.BooleanField(_("weekly email"), default=False)
    digest_last_sent_at = models.DateTimeField(null=True, blank=True)
    link_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    link_created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["merchant", "name"], name="supplier_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_link(self) -> bool:
        return bool(self.link_hash)


class SupplierProduct(TenantModel):
    """A SKU a supplier delivers: their code, the pack it comes in, its lead time and its unit cost."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="products")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    supplier_sku = models.CharField(_("supplier SKU"), max_length=100, blank=True)
    pack_size = models.PositiveIntegerField(_("pack size"), default=1)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time override (days)"), null=True, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=4, default=0)

    class Meta:
        ordering = ["supplier", "product__sku"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "product"], name="supplier_product_unique"),
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="supplier_product_pack_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="supplier_product_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}:{self.product_id}"

    @property
    def effective_lead_time(self) -> int:
        return self.lead_time_days if self.lead_time_days is not None else self.supplier.lead_time_days


class ReplenishmentAlert(TenantModel):
    """Available stock fell below a reorder point: at one location, or (location empty) at none stocked.

    At most one open alert per product and location; it resolves itself when stock returns.
    """

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(
        "locations.Location", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    available = models.IntegerField()
    reorder_point = models.IntegerField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "product", "location"],
                condition=Q(resolved_at__isnull=True),
                nulls_distinct=False,
                name="replenishment_alert_one_open",
            )
        ]
        indexes = [models.Index(fields=["merchant", "resolved_at"], name="replenishment_alert_open")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id or '*'}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
