from django.db import models

from oms.tenancy.models import TenantModel


class Product(TenantModel):
    """A merchant's SKU: the master data every stage reads."""

    sku = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    barcode = models.CharField(max_length=64, blank=True)
    weight_grams = models.PositiveIntegerField(default=0)
    length_mm = models.PositiveIntegerField(default=0)
    width_mm = models.PositiveIntegerField(default=0)
    height_mm = models.PositiveIntegerField(default=0)
    attributes = models.JSONField(default=dict, blank=True)
    reorder_point = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "sku"], name="product_unique_sku")]
        ordering = ["sku"]

    def __str__(self) -> str:
        return self.sku


class BundleComponent(TenantModel):
    """A kit: selling one ``bundle`` takes ``quantity`` of ``component`` from stock."""

    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="in_bundles")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_unique"),
            models.CheckConstraint(
                condition=~models.Q(bundle=models.F("component")), name="bundle_not_itself"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="bundle_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id} ⊃ {self.quantity} × {self.component_id}"
