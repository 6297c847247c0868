from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.tenancy.models import TenantModel


class LocationKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    STORE = "store", _("Store")
    PICKUP_POINT = "pickup_point", _("Pickup point")


class Location(TenantModel):
    """A place stock sits or orders are handed over: warehouse, store or pickup point."""

    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=LocationKind.choices, default=LocationKind.WAREHOUSE)
    address = models.JSONField(default=dict, blank=True)
    region_code = models.CharField(max_length=6, blank=True, db_index=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    capabilities = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    daily_capacity = models.PositiveIntegerField(null=True, blank=True)
    opening_hours = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "code"], name="location_unique_code")]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
