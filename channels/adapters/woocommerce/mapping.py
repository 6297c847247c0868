"""WooCommerce's order JSON (``GET /wp-json/wc/v3/orders/{id}``, also the webhook body) → ``NewOrder``. Pure.

Money: order amounts are decimal strings; ``line_items[].price`` is a float (``total / quantity``), so unit
prices come from the ``subtotal`` string (before coupons) divided by the quantity. Line, shipping and discount
amounts are without tax whatever the shop's tax display; ``total`` = Σ subtotal − discount + shipping + tax.
Times: ``date_created_gmt`` / ``date_modified_gmt`` are UTC without an offset (``date_created`` is site time).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal

from channels.adapters.woocommerce import status_map
from channels.normalize.names import full_name
from oms.orders.types import NewOrder, NewOrderLine

ZERO = Decimal("0")

# WooCommerce's own codes for Chinese provinces (plugins/woocommerce/i18n/states.php, 'CN' => CN1 … CN32;
# Hong Kong and Taiwan are countries there, Macao is CN30), mapped to the official names.
CN_STATES = {
    "CN1": "云南省",
    "CN2": "北京市",
    "CN3": "天津市",
    "CN4": "河北省",
    "CN5": "山西省",
    "CN6": "内蒙古自治区",
    "CN7": "辽宁省",
    "CN8": "吉林省",
    "CN9": "黑龙江省",
    "CN10": "上海市",
    "CN11": "江苏省",
    "CN12": "浙江省",
    "CN13": "安徽省",
    "CN14": "福建省",
    "CN15": "江西省",
    "CN16": "山东省",
    "CN17": "河南省",
    "CN18": "湖北省",
    "CN19": "湖南省",
    "CN20": "广东省",
    "CN21": "广西壮族自治区",
    "CN22": "海南省",
    "CN23": "重庆市",
    "CN24": "四川省",
    "CN25": "贵州省",
    "CN26": "陕西省",
    "CN27": "甘肃省",
    "CN28": "青海省",
    "CN29": "宁夏回族自治区",
    "CN30": "澳门特别行政区",
    "CN31": "西藏自治区",
    "CN32": "新疆维吾尔自治区",
}


def signature(body: bytes, secret: str) -> str:
    """``X-WC-Webhook-Signature``: base64 HMAC-SHA256 of the raw body, keyed by the webhook's secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def load(body: bytes):
    return json.loads(body, parse_float=Decimal)


def parse_gmt(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _money(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _text(value) -> str:
    return " ".join(str(value or "").split())


def address(raw: dict | None) -> dict:
    raw = raw or {}
    country = _text(raw.get("country")).upper()
    state, city = _text(raw.get("state")), _text(raw.get("city"))
    detail = " ".join(part for part in (_text(raw.get("address_1")), _text(raw.get("address_2"))) if part)
    province = CN_STATES.get(state.upper(), state) if country == "CN" else state
    return {
        "name": full_name(raw.get("first_name"), raw.get("last_name")),
        "phone": _text(raw.get("phone")),
        "country": country,
        "province": province,
        "province_code": state,
        "city": city,
        "detail": detail,
        "postal_code": _text(raw.get("postcode")),
    }


def line(item: dict) -> NewOrderLine:
    quantity = int(item["quantity"])
    subtotal = _money(item.get("subtotal"))
    sku = _text(item.get("sku"))
    product = item.get("variation_id") or item.get("product_id")
    attributes = [
        _text(meta.get("display_value"))
        for meta in item.get("meta_data") or []
        if not str(meta.get("key", "")).startswith("_") and _text(meta.get("display_value"))
    ]
    return NewOrderLine(
        sku=sku,
        channel_sku=sku or (str(product) if product else ""),
        title=_text(item.get("parent_name") or item.get("name")),
        variant=", ".join(attributes),
        quantity=quantity,
        unit_price=subtotal / quantity if quantity else _money(item.get("price")),
        total=subtotal,
    )


def order_from_woocommerce(order: dict) -> NewOrder:
    billing = order.get("billing") or {}
    shipping = address(order.get("shipping"))
    status = order.get("status") or ""
    return NewOrder(
        external_id=str(order["id"]),
        external_number=_text(order.get("number")) or str(order["id"]),
        currency=_text(order.get("currency")),
        placed_at=parse_gmt(order["date_created_gmt"]),
        platform_updated_at=parse_gmt(order.get("date_modified_gmt") or order["date_created_gmt"]),
        platform_status=status,
        payment_pending=status_map.is_payment_pending(status),
        cancelled=status_map.is_cancelled(status),
        customer={
            "name": full_name(billing.get("first_name"), billing.get("last_name"))
            or shipping.get("name", ""),
            "email": _text(billing.get("email")),
            "phone": _text(billing.get("phone")) or shipping.get("phone", ""),
        },
        shipping_address=shipping,
        shipping_total=_money(order.get("shipping_total")),
        discount_total=_money(order.get("discount_total")),
        tax_total=_money(order.get("total_tax")),
        total=_money(order["total"]) if order.get("total") not in (None, "") else None,
        note=(order.get("customer_note") or "").strip(),
        lines=tuple(line(item) for item in order.get("line_items") or []),
    )


def orders_from_page(page: list) -> list[NewOrder]:
    """A stored poll page: the bare JSON array of ``GET /wp-json/wc/v3/orders``."""
    return [order_from_woocommerce(order) for order in page]


# --- stock push -----------------------------------------------------------------------------------------
# ``GET /products?sku=`` matches the SKU exactly and, since WooCommerce searches variations too whenever a
# SKU is given (``post_type`` product + product_variation), a variation comes back with ``type: variation``
# and its ``parent_id``; it is updated under ``products/{parent_id}/variations/{id}``.


def stock_paths(products, sku: str) -> list[str]:
    """The REST paths to update for the products and variations whose SKU is exactly ``sku``."""
    paths = []
    for product in products if isinstance(products, list) else []:
        if not isinstance(product, dict) or product.get("sku") != sku or not product.get("id"):
            continue
        parent = product.get("parent_id") or 0
        if product.get("type") == "variation" and parent:
            paths.append(f"products/{parent}/variations/{product['id']}")
        else:
            paths.append(f"products/{product['id']}")
    return paths


def stock_body(quantity: int) -> dict:
    """The update body: WooCommerce only keeps ``stock_quantity`` for an item that manages its stock."""
    return {"manage_stock": True, "stock_quantity": quantity}
