from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from oms.catalog.models import Product
from oms.core.errors import Conflict

FIELDS = ("sku", "title", "barcode", "weight_grams", "attributes", "reorder_point", "is_active")


def product_create(*, merchant, **values) -> Product:
    try:
        with transaction.atomic():
            return Product.objects.create(
                merchant=merchant, **{k: v for k, v in values.items() if k in FIELDS}
            )
    except IntegrityError as exc:
        raise Conflict(f"SKU {values.get('sku')!r} exists already", code="duplicate_sku") from exc


def product_update(*, product: Product, **values) -> Product:
    for key, value in values.items():
        if key in FIELDS:
            setattr(product, key, value)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        raise Conflict(f"SKU {product.sku!r} exists already", code="duplicate_sku") from exc
    return product


def product_delete(*, product: Product) -> None:
    try:
        product.delete()
    except ProtectedError as exc:
        raise Conflict(f"SKU {product.sku} is used by orders; deactivate it instead", code="in_use") from exc
