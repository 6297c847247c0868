"""Shopify's REST Order resource (webhook body and API) → ``NewOrder``. Pure: no Django, no network.

Money: top-level amounts are decimal strings in the shop currency. ``line_items[].price`` is the unit price
before discounts; every discount (line-level and order-level shares, shipping discounts) is allocated in
``discount_allocations``, so ``subtotal`` = Σ price × quantity, ``discount_total`` = Σ allocations and
``total_price`` = subtotal + shipping − discounts + tax (tax is 0 here when prices include it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal

from channels.adapters.shopify import status_map
from channels.normalize.names import full_name
from oms.orders.types import NewOrder, NewOrderLine

ZERO = Decimal("0")

# Shopify's zone codes for China (Shopify/worldwide db/data/regions/CN.yml): ISO 3166-2 letters, but
# Xizang is YZ (XZ accepted as an alternate).
CN_ZONES = {
    "AH": "安徽省",
    "BJ": "北京市",
    "CQ": "重庆市",
    "FJ": "福建省",
    "GS": "甘肃省",
    "GD": "广东省",
    "GX": "广西壮族自治区",
    "GZ": "贵州省",
    "HI": "海南省",
    "HE": "河北省",
    "HL": "黑龙江省",
    "HA": "河南省",
    "HB": "湖北省",
    "HN": "湖南省",
    "NM": "内蒙古自治区",
    "JS": "江苏省",
    "JX": "江西省",
    "JL": "吉林省",
    "LN": "辽宁省",
    "NX": "宁夏回族自治区",
    "QH": "青海省",
    "SN": "陕西省",
    "SD": "山东省",
    "SH": "上海市",
    "SX": "山西省",
    "SC": "四川省",
    "TJ": "天津市",
    "XJ": "新疆维吾尔自治区",
    "YZ": "西藏自治区",
    "XZ": "西藏自治区",
    "YN": "云南省",
    "ZJ": "浙江省",
}


def signature(body: bytes, secret: str) -> str:
    """``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the raw body, keyed by the app's client secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def load(body: bytes):
    return json.loads(body, parse_float=Decimal)


def _money(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _text(value) -> str:
    return " ".join(str(value or "").split())


def _allocated(rows: list[dict]) -> Decimal:
    return sum((_money(a.get("amount")) for row in rows for a in row.get("discount_allocations") or []), ZERO)


def address(raw: dict | None) -> dict:
    """A Shopify address (possibly null, or all-null fields under protected customer data)."""
    if not raw:
        return {}
    country = _text(raw.get("country_code")).upper()
    province_code = _text(raw.get("province_code"))
    province, city = _text(raw.get("province")), _text(raw.get("city"))
    detail = " ".join(part for part in (_text(raw.get("address1")), _text(raw.get("address2"))) if part)
    if country == "CN":
        province = CN_ZONES.get(province_code.upper(), province)
    return {
        "name": full_name(raw.get("first_name"), raw.get("last_name")) or _text(raw.get("name")),
        "phone": _text(raw.get("phone")),
        "country": country,
        "province": province,
        "province_code": province_code,
        "city": city,
        "detail": detail,
        "postal_code": _text(raw.get("zip")),
    }


def line(item: dict) -> NewOrderLine:
    sku = _text(item.get("sku"))
    variant_id = item.get("variant_id")
    return NewOrderLine(
        sku=sku,
        channel_sku=sku or (str(variant_id) if variant_id is not None else ""),
        title=_text(item.get("title") or item.get("name")),
        variant=_text(item.get("variant_title")),
        quantity=int(item["quantity"]),
        unit_price=_money(item.get("price")),
    )


def order_from_shopify(order: dict) -> NewOrder:
    customer = order.get("customer") or {}
    shipping = address(order.get("shipping_address"))
    billing = order.get("billing_address") or {}
    items = order.get("line_items") or []
    shipping_lines = [row for row in order.get("shipping_lines") or [] if not row.get("is_removed")]
    if shipping_lines:
        shipping_total = sum((_money(row.get("price")) for row in shipping_lines), ZERO)
    else:
        shipping_set = (order.get("total_shipping_price_set") or {}).get("shop_money") or {}
        shipping_total = _money(shipping_set.get("amount"))
    discount_total = _allocated(items) + _allocated(shipping_lines)
    if not discount_total:
        discount_total = _money(order.get("total_discounts"))
    name = (
        full_name(customer.get("first_name"), customer.get("last_name"))
        or shipping.get("name", "")
        or full_name(billing.get("first_name"), billing.get("last_name"))
    )
    return NewOrder(
        external_id=str(order["id"]),
        external_number=_text(order.get("name")) or str(order.get("order_number") or order["id"]),
        currency=_text(order.get("currency")),
        placed_at=parse_time(order["created_at"]),
        platform_updated_at=parse_time(order.get("updated_at") or order["created_at"]),
        platform_status=status_map.platform_status(order),
        payment_pending=status_map.is_payment_pending(order.get("financial_status")),
        cancelled=status_map.is_cancelled(order),
        customer={
            "name": name,
            "email": _text(order.get("email") or order.get("contact_email") or customer.get("email")),
            "phone": _text(
                order.get("phone") or customer.get("phone") or shipping.get("phone") or billing.get("phone")
            ),
        },
        shipping_address=shipping,
        subtotal=_money(order["total_line_items_price"]) if order.get("total_line_items_price") else None,
        shipping_total=shipping_total,
        discount_total=discount_total,
        tax_total=ZERO if order.get("taxes_included") else _money(order.get("total_tax")),
        total=_money(order["total_price"]) if order.get("total_price") not in (None, "") else None,
        note=(order.get("note") or "").strip(),
        tags=tuple(tag.strip() for tag in (order.get("tags") or "").split(",") if tag.strip()),
        lines=tuple(line(item) for item in items),
    )


def orders_from_page(page: dict) -> list[NewOrder]:
    """A stored poll page: the ``GET orders.json`` body ``{"orders": [...]}``."""
    return [order_from_shopify(order) for order in page["orders"]]


# --- stock push (GraphQL Admin API) ---------------------------------------------------------------------
# REST ``variants.json?sku=`` is gone; the documented way for API 2026-04 is GraphQL: ``productVariants`` with
# the ``sku:`` search filter finds the variant and its inventory item (and where it is stocked), then
# ``inventorySetQuantities`` sets the ``available`` quantity absolutely. As of 2026-04 that mutation needs
# an ``@idempotent(key:)`` directive and an explicit ``changeFromQuantity`` per quantity (``null`` opts out of
# the compare-and-swap check: this system is the source of truth for the figure it pushes).

STOCK_LOOKUP_QUERY = (
    "query StockTarget($query: String!) { productVariants(first: 10, query: $query) { nodes { id sku "
    "inventoryItem { id tracked inventoryLevels(first: 10) { nodes { location { id } } } } } } }"
)
SET_QUANTITIES_MUTATION = (
    "mutation SetStock($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) "
    '@idempotent(key: "%s") { inventoryAdjustmentGroup { id } userErrors { code field message } } }'
)
LOCATION_GID = "gid://shopify/Location/"


def sku_search(sku: str) -> str:
    """The search-syntax filter for one exact SKU: ``sku:"…"`` with quotes and backslashes escaped."""
    return 'sku:"' + sku.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stock_lookup_request(sku: str) -> dict:
    return {"query": STOCK_LOOKUP_QUERY, "variables": {"query": sku_search(sku)}}


def stock_targets(answer: dict, sku: str) -> list[dict]:
    """The variants whose SKU is exactly ``sku`` (the search also matches prefixes and tokens):
    ``[{"variant", "inventory_item", "tracked", "locations"}]``."""
    nodes = ((answer.get("data") or {}).get("productVariants") or {}).get("nodes") or []
    targets = []
    for node in nodes:
        item = node.get("inventoryItem") or {}
        if node.get("sku") != sku or not item.get("id"):
            continue
        levels = (item.get("inventoryLevels") or {}).get("nodes") or []
        targets.append(
            {
                "variant": node["id"],
                "inventory_item": item["id"],
                "tracked": bool(item.get("tracked")),
                "locations": [level["location"]["id"] for level in levels if level.get("location")],
            }
        )
    return targets


def location_gid(value) -> str:
    """A configured ``location_id``: a location GID as it is, or the numeric id of the REST API."""
    text = str(value).strip()
    return text if text.startswith("gid://") else LOCATION_GID + text


def set_quantities_request(
    *, inventory_item_id: str, location_id: str, quantity: int, idempotency_key: str
) -> dict:
    if not idempotency_key.replace("-", "").isalnum():
        raise ValueError("the idempotency key must be a UUID")
    return {
        "query": SET_QUANTITIES_MUTATION % idempotency_key,
        "variables": {
            "input": {
                "name": "available",
                "reason": "correction",
                "quantities": [
                    {
                        "inventoryItemId": inventory_item_id,
                        "locationId": location_id,
                        "quantity": quantity,
                        "changeFromQuantity": None,
                    }
                ],
            }
        },
    }


def set_quantities_errors(answer: dict) -> list[str]:
    payload = (answer.get("data") or {}).get("inventorySetQuantities") or {}
    return [
        f"{error.get('code') or ''} {error.get('message') or ''}".strip()
        for error in payload.get("userErrors") or []
    ]
