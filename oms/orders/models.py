from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.tenancy.models import TenantModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class OrderStatus(models.TextChoices):
    NEW = "new", _("New")
    ON_HOLD = "on_hold", _("On hold")
    ALLOCATED = "allocated", _("Allocated")
    PARTIALLY_ALLOCATED = "partially_allocated", _("Partially allocated")
    BACKORDERED = "backordered", _("Backordered")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXCEPTION = "exception", _("Exception")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class OrderType(models.TextChoices):
    NORMAL = "normal", _("Normal")
    CUSTOM = "custom", _("Custom-made")
    PRESALE = "presale", _("Presale")
    FRESH = "fresh", _("Fresh")


class DeliveryMethod(models.TextChoices):
    EXPRESS = "express", _("Express courier")
    SAME_CITY = "same_city", _("Same-city delivery")
    PICKUP = "pickup", _("Pickup")


class Order(TenantModel):
    number = models.CharField(max_length=32)
    channel = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(max_length=128, blank=True)
    external_number = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=24, choices=OrderStatus.choices, default=OrderStatus.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    order_type = models.CharField(max_length=10, choices=OrderType.choices, default=OrderType.NORMAL)
    delivery_method = models.CharField(
        max_length=10, choices=DeliveryMethod.choices, default=DeliveryMethod.EXPRESS
    )
    pickup_location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField()
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)
    shipping_total = models.DecimalField(**MONEY, default=0)
    discount_total = models.DecimalField(**MONEY, default=0)
    tax_total = models.DecimalField(**MONEY, default=0)
    total = models.DecimalField(**MONEY)
    customer_name = models.CharField(max_length=200, blank=True)
    customer_email = models.CharField(max_length=254, blank=True)
    customer_phone = models.CharField(max_length=32, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    region_code = models.CharField(max_length=6, blank=True)
    note = models.TextField(blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    platform_status = models.CharField(max_length=64, blank=True)
    platform_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "number"], name="order_unique_number"),
            models.UniqueConstraint(
                fields=["merchant", "channel", "external_id"],
                condition=~Q(external_id=""),
                name="order_unique_external_id",
            ),
            models.UniqueConstraint(
                fields=["merchant", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_unique_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]
        indexes = [
            models.Index(fields=["merchant", "status", "-placed_at"], name="order_status_placed"),
            models.Index(fields=["merchant", "-placed_at"], name="order_placed"),
            models.Index(fields=["merchant", "region_code"], name="order_region"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(TenantModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    sku = models.CharField(max_length=100, blank=True)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel_sku = models.CharField(max_length=128, blank=True)
    title = models.CharField(max_length=300, blank=True)
    variant = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.sku} x{self.quantity}"


class OrderIssue(TenantModel):
    """A problem found on an order that a person should look at (unknown SKU, bad address…)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="issues")
    code = models.CharField(max_length=50)
    message = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.code


class OrderEvent(TenantModel):
    """Append-only log of what happened to an order: who, what, when, why (UPDATE is refused by a trigger)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=50)
    message = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "created_at"]
        indexes = [models.Index(fields=["order", "at"], name="order_event_order_at")]

    def __str__(self) -> str:
        return self.kind
