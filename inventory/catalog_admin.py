"""Writes of the inventory settings pages that the core services do not cover yet.

``oms.catalog.services`` knows no dimensions and no bundles, so products are written here (each write in its
own transaction, the SKU's uniqueness left to the database). Locations go through ``oms.locations.services``.
The allocation policy and the per-location reorder points are settings, not stock: they change no level
quantity, so they do not go through the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from inventory import locks
from inventory.models import AllocationPolicy, StockLevel
from oms.catalog.models import BundleComponent, Product
from oms.core.errors import Conflict, NotFound, ValidationFailed
from oms.locations.models import Location

PRODUCT_FIELDS = (
    "sku",
    "title",
    "barcode",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "reorder_point",
    "is_active",
)
FLAGS = ("fresh", "fragile", "custom", "presale")


@dataclass(frozen=True)
class Component:
    sku: str
    quantity: int


def product_save(
    *,
    merchant,
    product: Product | None = None,
    flags: dict[str, bool] | None = None,
    components: list[Component] | None = None,
    **values,
) -> Product:
    """Create (``product`` None) or update a product; ``flags`` set attribute booleans, other attributes stay.

    ``components`` (when given) replace the bundle's components; a bundle cannot contain itself.
    """
    product = product or Product(merchant=merchant)
    if product.merchant_id != merchant.pk:
        raise NotFound("no such product")
    for key, value in values.items():
        if key in PRODUCT_FIELDS:
            setattr(product, key, value.strip() if isinstance(value, str) else value)
    if flags:
        attributes = dict(product.attributes or {})
        attributes.update({key: bool(value) for key, value in flags.items() if key in FLAGS})
        product.attributes = attributes
    if not product.sku:
        raise ValidationFailed("a product needs a SKU", fields={"sku": ["required"]})
    try:
        with transaction.atomic():
            product.save()
            if components is not None:
                _components_replace(merchant, product, components)
    except IntegrityError as exc:
        raise Conflict(
            f"SKU {product.sku!r} exists already", code="duplicate_sku", fields={"sku": ["taken"]}
        ) from exc
    return product


def _components_replace(merchant, product: Product, components: list[Component]) -> None:
    skus = {component.sku for component in components}
    found = dict(Product.objects.for_merchant(merchant).filter(sku__in=skus).values_list("sku", "pk"))
    missing = sorted(skus - set(found))
    if missing:
        raise ValidationFailed(
            f"unknown component SKU(s): {', '.join(missing)}", fields={"components": missing}
        )
    if product.sku in skus:
        raise ValidationFailed("a bundle cannot contain itself", fields={"components": [product.sku]})
    BundleComponent.objects.for_merchant(merchant).filter(bundle=product).delete()
    BundleComponent.objects.bulk_create(
        BundleComponent(
            merchant=merchant, bundle=product, component_id=found[component.sku], quantity=component.quantity
        )
        for component in components
    )


def allocation_policy_save(
    *,
    merchant,
    preference: str,
    allow_split: bool,
    shortage: str,
    location_priority: list[str],
    channel_holdback: dict[str, int],
) -> AllocationPolicy:
    """The merchant's one policy row, created on first save. Codes and channel ids must be the merchant's."""
    known = set(Location.objects.for_merchant(merchant).values_list("code", flat=True))
    unknown = [code for code in location_priority if code not in known]
    if unknown:
        raise ValidationFailed(
            f"unknown location code(s): {', '.join(unknown)}", fields={"location_priority": unknown}
        )
    if len(set(location_priority)) != len(location_priority):
        raise ValidationFailed("a location is listed twice", fields={"location_priority": ["duplicate"]})
    if any(units < 0 for units in channel_holdback.values()):
        raise ValidationFailed("a holdback cannot be negative", fields={"channel_holdback": ["negative"]})
    values = {
        "preference": preference,
        "allow_split": allow_split,
        "shortage": shortage,
        "location_priority": list(location_priority),
        "channel_holdback": {str(key): int(units) for key, units in channel_holdback.items() if units},
    }
    with transaction.atomic():
        policy, created = AllocationPolicy.objects.select_for_update().get_or_create(
            merchant=merchant, defaults=values
        )
        if not created:
            for key, value in values.items():
                setattr(policy, key, value)
            policy.save()
    return policy


def level_reorder_point_set(*, merchant, location: Location, product: Product, reorder_point: int | None):
    """The reorder point of one location (None: the product's default applies). Not a stock change."""
    if location.merchant_id != merchant.pk or product.merchant_id != merchant.pk:
        raise NotFound("no such location or product")
    if reorder_point is not None and reorder_point < 0:
        raise ValidationFailed("a reorder point cannot be negative", fields={"reorder_point": ["negative"]})
    locks.level_ensure(merchant=merchant, location_id=location.pk, product_id=product.pk)
    with transaction.atomic():
        StockLevel.objects.for_merchant(merchant).filter(location=location, product=product).update(
            reorder_point=reorder_point
        )
