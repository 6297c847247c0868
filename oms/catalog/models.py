from django.db import models

from oms.tenancy.models import TenantModel


class Product(TenantModel):
    """A merchant's SKU: the master data every stage reads."""

    sku = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    barcode = models.CharField(max_length=64, blank=True)
    weight_grams = models.PositiveIntegerField(default=0)
    attributes = models.JSONField(default=dict, blank=True)
    reorder_point = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "sku"], name="product_unique_sku")]
        ordering = ["sku"]

    def __str__(self) -> str:
        return self.sku
