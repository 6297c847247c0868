"""The standard order as plain data: what every channel adapter and the open API hand to the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class NewOrderLine:
    sku: str
    quantity: int
    unit_price: Decimal
    title: str = ""
    variant: str = ""
    channel_sku: str = ""
    total: Decimal | None = None


@dataclass(frozen=True)
class NewOrder:
    lines: tuple[NewOrderLine, ...]
    external_id: str = ""
    external_number: str = ""
    currency: str = ""
    placed_at: datetime | None = None
    priority: str = "normal"
    order_type: str = "normal"
    delivery_method: str = "express"
    pickup_location_code: str = ""
    customer: dict = field(default_factory=dict)
    shipping_address: dict = field(default_factory=dict)
    subtotal: Decimal | None = None
    shipping_total: Decimal = Decimal("0")
    discount_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    total: Decimal | None = None
    note: str = ""
    tags: tuple[str, ...] = ()
    hold: bool = False
    platform_status: str = ""
    platform_updated_at: datetime | None = None
    payment_pending: bool = False
    platform_hold: str = (
        ""  # why the platform says not to ship yet (risk review…); released by a later version
    )
    cancelled: bool = False
