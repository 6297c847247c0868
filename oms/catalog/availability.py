"""How many units of a SKU can still be sold: answered by the inventory stage, asked by the channels stage.

Channels may not import inventory (DESIGN.md's dependency direction), so inventory registers its reader here
in ``AppConfig.ready`` and channels ask through ``available_units``.
"""

from __future__ import annotations

from collections.abc import Callable

_reader: Callable | None = None


def register_reader(reader: Callable) -> None:
    """``reader(merchant_id, product_ids) -> {product_id: units}`` across the merchant's active locations."""
    global _reader
    _reader = reader


def available_units(*, merchant_id, product_ids) -> dict:
    if _reader is None or not product_ids:
        return {}
    return _reader(merchant_id, list(product_ids))
