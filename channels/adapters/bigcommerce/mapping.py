"""BigCommerce v2 order + its products + its shipping addresses → ``NewOrder``; Standard Webhooks signatures.

Pure: no Django, no network. Money is 4-decimal strings. With tax-exclusive pricing (the default) lines,
subtotal and shipping are taken without tax and ``total_tax`` is added; with ``is_tax_inclusive_pricing`` they
are taken with tax and the tax is not added again. Discounts are ``discount_amount`` (manual) plus
``coupon_discount``; ``total_inc_tax`` is what the buyer pays. Dates are RFC 2822 (``Sun, 22 Nov 2026 05:45:35
+0000``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime

from channels.adapters.bigcommerce import status_map
from channels.normalize.names import full_name
from oms.orders.types import NewOrder, NewOrderLine

ZERO = Decimal("0")


def signature(webhook_id: str, timestamp: str, body: bytes, secret: str) -> bytes:
    """HMAC-SHA256 over ``id.timestamp.body`` keyed by the app's client secret (its UTF-8 bytes)."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).digest()


def signature_matches(header: str, expected: bytes) -> bool:
    """``webhook-signature`` is a space-separated list of ``v1,<base64>``; any one matching is enough."""
    found = False
    for candidate in header.split():
        version, _, encoded = candidate.partition(",")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        found = hmac.compare_digest(given, expected) or found
    return found


def load(body: bytes):
    return json.loads(body, parse_float=Decimal)


def parse_date(value: str) -> datetime:
    return parsedate_to_datetime(value).astimezone(UTC)


def _money(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _text(value) -> str:
    return " ".join(str(value or "").split())


def address(raw: dict | None) -> dict:
    if not raw:
        return {}
    return {
        "name": full_name(raw.get("first_name"), raw.get("last_name")),
        "phone": _text(raw.get("phone")),
        "country": _text(raw.get("country_iso2")).upper(),
        "province": _text(raw.get("state")),
        "city": _text(raw.get("city")),
        "detail": " ".join(part for part in (_text(raw.get("street_1")), _text(raw.get("street_2"))) if part),
        "postal_code": _text(raw.get("zip")),
    }


def line(product: dict, tax: str) -> NewOrderLine:
    sku = _text(product.get("sku"))
    catalog_id = product.get("variant_id") or product.get("product_id")
    options = [
        f"{_text(option.get('display_name'))}: {_text(option.get('display_value'))}"
        for option in product.get("product_options") or []
    ]
    return NewOrderLine(
        sku=sku,
        channel_sku=sku or (str(catalog_id) if catalog_id else ""),
        title=_text(product.get("name")),
        variant=", ".join(options),
        quantity=int(product["quantity"]),
        unit_price=_money(product.get(f"price_{tax}")),
        total=_money(product.get(f"total_{tax}")),
    )


def order_from_bigcommerce(order: dict, products: list, shipping_addresses: list) -> NewOrder:
    inclusive = bool(order.get("is_tax_inclusive_pricing"))
    tax = "inc_tax" if inclusive else "ex_tax"
    billing = order.get("billing_address") or {}
    status_id = int(order.get("status_id") or 0)
    shipping_total = sum(
        (
            _money(order.get(f"{charge}_{tax}"))
            for charge in ("shipping_cost", "handling_cost", "wrapping_cost")
        ),
        ZERO,
    )
    return NewOrder(
        external_id=str(order["id"]),
        external_number=str(order["id"]),
        currency=_text(order.get("currency_code")),
        placed_at=parse_date(order["date_created"]),
        platform_updated_at=parse_date(order.get("date_modified") or order["date_created"]),
        platform_status=status_map.platform_status(order),
        payment_pending=status_map.is_payment_pending(status_id),
        platform_hold=status_map.hold_reason(order),
        cancelled=status_map.is_cancelled(status_id),
        customer={
            "name": full_name(billing.get("first_name"), billing.get("last_name")),
            "email": _text(billing.get("email")),
            "phone": _text(billing.get("phone")),
        },
        shipping_address=address(shipping_addresses[0] if shipping_addresses else None),
        subtotal=_money(order.get(f"subtotal_{tax}")),
        shipping_total=shipping_total,
        discount_total=_money(order.get("discount_amount")) + _money(order.get("coupon_discount")),
        tax_total=ZERO if inclusive else _money(order.get("total_tax")),
        total=_money(order.get("total_inc_tax")),
        note=(order.get("customer_message") or "").strip(),
        lines=tuple(line(product, tax) for product in products),
    )


def orders_from_page(page: dict) -> list[NewOrder]:
    """A stored poll page: ``{"orders": […], "products": {id: […]}, "shipping_addresses": {id: […]}}``."""
    return [
        order_from_bigcommerce(
            order,
            page["products"].get(str(order["id"]), []),
            page["shipping_addresses"].get(str(order["id"]), []),
        )
        for order in page["orders"]
    ]


# --- stock push (v3 Catalog and Inventory APIs) ---------------------------------------------------------
# ``GET /v3/catalog/variants?sku=`` finds the variant (a product without options has one base variant
# carrying the product's SKU); the product's ``inventory_tracking`` says whether stock is kept per variant or
# per product (an absolute adjustment naming a variant of a product tracked by product is refused with 422),
# and ``PUT /v3/inventory/adjustments/absolute`` sets the count at a location (``location_id``, default 1).

DEFAULT_LOCATION_ID = 1
ADJUSTMENT_REASON = "Stock sync from the order hub"


def variant_targets(answer, sku: str) -> list[dict]:
    """``[{"variant_id", "product_id"}]`` of the variants whose SKU is exactly ``sku``."""
    rows = answer.get("data") if isinstance(answer, dict) else None
    return [
        {"variant_id": row["id"], "product_id": row["product_id"]}
        for row in rows or []
        if isinstance(row, dict) and row.get("sku") == sku and row.get("id") and row.get("product_id")
    ]


def inventory_item(tracking: str, target: dict) -> dict:
    """How the absolute adjustment names the item; ValueError when the product tracks no inventory."""
    if tracking == "variant":
        return {"variant_id": target["variant_id"]}
    if tracking == "product":
        return {"product_id": target["product_id"]}
    raise ValueError(f"product {target['product_id']} does not track inventory ({tracking or 'none'})")


def absolute_adjustment(items: list[dict], location_id: int, quantity: int) -> dict:
    return {
        "reason": ADJUSTMENT_REASON,
        "items": [{"location_id": location_id, **item, "quantity": quantity} for item in items],
    }
