"""Taobao/Tmall TOP JSON → the standard order, and the TOP request signature. Pure: no Django, no network.

A poll page is stored as one composite JSON document: the ``taobao.trades.sold.increment.get`` answer
(a light list of the trades changed in the window) and the ``taobao.trade.fullinfo.get`` answer of each::

    {"increment": {"trades_sold_increment_get_response": {...}},
     "fullinfo": [{"trade_fullinfo_get_response": {"trade": {...}, "request_id": "..."}}, ...]}

Times are Beijing time (UTC+8) without an offset; money is a string in yuan; lists are wrapped twice
(``"orders": {"order": [...]}``) and an empty one may be ``{}`` or missing; ``tid``/``oid`` are numbers above
2^53, so ``tid_str``/``oid_str`` are preferred. Receiver name, phone and street come masked (``王**``) and are
passed on as they are: the core never lets a masked or blank value overwrite stored data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from channels.adapters.taobao import status_map
from oms.orders.types import NewOrder, NewOrderLine

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ZERO = Decimal("0")
SIGN_METHODS = ("md5", "hmac", "hmac-sha256")


# --- time ------------------------------------------------------------------------------------------------


def parse_time(text: str | None) -> datetime | None:
    """``2026-11-21 14:05:33`` (Beijing time) → aware UTC."""
    if not text:
        return None
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=BEIJING).astimezone(UTC)


def format_time(value: datetime) -> str:
    """Aware datetime → Beijing time ``yyyy-MM-dd HH:mm:ss`` as TOP parameters take it."""
    return value.astimezone(BEIJING).strftime(TIME_FORMAT)


# --- signature -------------------------------------------------------------------------------------------


def canonical_string(params: dict[str, str]) -> str:
    """Every parameter but ``sign`` and the empty ones, sorted by name, as ``name + value``, no separator."""
    return "".join(
        f"{name}{value}"
        for name, value in sorted(params.items())
        if name != "sign" and value not in (None, "")
    )


def sign(params: dict[str, str], secret: str, sign_method: str) -> str:
    """The TOP ``sign``: md5 = MD5(secret + s + secret); hmac = HMAC-MD5; hmac-sha256; upper-case hex."""
    text = canonical_string(params).encode("utf-8")
    key = secret.encode("utf-8")
    if sign_method == "md5":
        digest = hashlib.md5(key + text + key).hexdigest()  # noqa: S324  the platform's signature scheme
    elif sign_method == "hmac":
        digest = hmac.new(key, text, hashlib.md5).hexdigest()
    elif sign_method == "hmac-sha256":
        digest = hmac.new(key, text, hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"unknown TOP sign_method {sign_method!r}")
    return digest.upper()


# --- trades ----------------------------------------------------------------------------------------------


def unwrap(container, key: str) -> list[dict]:
    """A TOP list: ``{"order": [...]}``, ``{"order": {...}}``, ``{}``, missing, or bare (``simplify``)."""
    if not container:
        return []
    if isinstance(container, list):
        return container
    inner = container.get(key)
    if not inner:
        return []
    return inner if isinstance(inner, list) else [inner]


def tid_of(trade: dict) -> str:
    return str(trade.get("tid_str") or trade["tid"])


def _money(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def line_from_order(order: dict) -> NewOrderLine:
    """A sub-order. The seller's code: ``outer_sku_id``, or ``outer_iid`` for an item without SKUs."""
    sku_id = str(order.get("sku_id") or "")
    outer_iid = order.get("outer_iid") or ""
    seller_code = order.get("outer_sku_id") or ("" if sku_id else outer_iid)
    return NewOrderLine(
        sku=seller_code,
        channel_sku=sku_id or outer_iid or str(order.get("num_iid") or ""),
        title=order.get("title") or "",
        variant=order.get("sku_properties_name") or "",
        quantity=int(order.get("num") or 0),
        unit_price=_money(order.get("price")),
    )


def _lines(trade: dict, trade_cancelled: bool) -> tuple[NewOrderLine, ...]:
    """Sub-orders closed on their own (refunded before shipping) are not to be shipped: left out."""
    orders = unwrap(trade.get("orders"), "order")
    open_orders = [o for o in orders if not status_map.is_cancelled(o.get("status") or "")]
    kept = orders if trade_cancelled or not open_orders else open_orders
    return tuple(line_from_order(order) for order in kept)


def shipping_address(trade: dict) -> dict:
    """``receiver_*``. Jiyuan-like cities (no ``receiver_city``): the district field holds the city."""
    city = trade.get("receiver_city") or ""
    district = trade.get("receiver_district") or ""
    if not city and district:
        city, district = district, ""
    town = trade.get("receiver_town") or ""
    street = trade.get("receiver_address") or ""
    detail = (
        f"{town}{street}" if town and street and "*" not in street and not street.startswith(town) else street
    )
    country = trade.get("receiver_country") or ""
    return {
        "name": trade.get("receiver_name") or "",
        "phone": trade.get("receiver_mobile") or trade.get("receiver_phone") or "",
        "country": "CN" if country in ("", "中国", "CN") else country,
        "province": trade.get("receiver_state") or "",
        "city": city,
        "district": district,
        "detail": detail,
        "postal_code": trade.get("receiver_zip") or "",
    }


def platform_hold(trade: dict) -> str:
    """Why Taobao does not let the trade ship now: its status says so, or a paid trade still to ship has a
    sub-order whose refund is under way (shipping it would be wasted). "" when it may ship."""
    status = trade.get("status") or ""
    if reason := status_map.platform_hold(status):
        return reason
    if status not in status_map.TO_SHIP:
        return ""
    refunding = [
        f"{order.get('oid_str') or order.get('oid')} {order.get('refund_status')}"
        for order in unwrap(trade.get("orders"), "order")
        if order.get("refund_status") in status_map.REFUND_UNDER_WAY
        and not status_map.is_cancelled(order.get("status") or "")
    ]
    return f"refund under way on sub-order {', '.join(refunding)}" if refunding else ""


def order_from_trade(trade: dict) -> NewOrder:
    status = trade.get("status") or ""
    cancelled = status_map.is_cancelled(status)
    address = shipping_address(trade)
    return NewOrder(
        external_id=tid_of(trade),
        external_number=tid_of(trade),
        currency="CNY",
        placed_at=parse_time(trade.get("created")),
        platform_updated_at=parse_time(trade.get("modified")),
        platform_status=status,
        payment_pending=status_map.is_payment_pending(status),
        cancelled=cancelled,
        platform_hold=platform_hold(trade),
        hold=status_map.is_shipped_already(status),
        customer={"name": address["name"], "email": "", "phone": address["phone"]},
        shipping_address=address,
        subtotal=_money(trade.get("total_fee")) if trade.get("total_fee") not in (None, "") else None,
        shipping_total=_money(trade.get("post_fee")),
        discount_total=_money(trade.get("discount_fee")) - _money(trade.get("adjust_fee")),
        tax_total=ZERO,
        total=_money(trade.get("payment")) if trade.get("payment") not in (None, "") else None,
        note=trade.get("buyer_message") or "",
        lines=_lines(trade, cancelled),
    )


def page_body(increment: dict, fullinfo: list[dict]) -> bytes:
    """The composite document a poll page is stored as (see the module docstring)."""
    return json.dumps({"increment": increment, "fullinfo": fullinfo}, ensure_ascii=False).encode()


def orders_from_page(body: bytes) -> list[NewOrder]:
    document = json.loads(body, parse_float=Decimal)
    return [
        order_from_trade(answer["trade_fullinfo_get_response"]["trade"])
        for answer in document.get("fullinfo") or []
    ]


# --- stock push -----------------------------------------------------------------------------------------
# ``taobao.item.quantity.update`` needs the item's ``num_iid`` (and ``sku_id`` for an item with SKUs); they
# are found from the seller's code: ``taobao.skus.custom.get`` by the SKU's ``outer_id``, else
# ``taobao.items.custom.get`` by the item's ``outer_id`` (an item without SKUs). ``type=1`` sets the count.

SKUS_CUSTOM_GET = "taobao.skus.custom.get"
ITEMS_CUSTOM_GET = "taobao.items.custom.get"
ITEM_QUANTITY_UPDATE = "taobao.item.quantity.update"
SKU_FIELDS = "sku_id,num_iid,outer_id"
ITEM_FIELDS = "num_iid,outer_id"
FULL_UPDATE = "1"


def _matches(row: dict, outer_id: str) -> bool:
    return row.get("outer_id") in (None, "", outer_id)


def sku_targets(answer: dict, outer_id: str) -> list[dict]:
    """``[{"num_iid", "sku_id"}]`` of the SKUs carrying the code (TOP returns every SKU that has it)."""
    skus = unwrap((answer.get("skus_custom_get_response") or {}).get("skus"), "sku")
    return [
        {"num_iid": str(sku["num_iid"]), "sku_id": str(sku["sku_id"])}
        for sku in skus
        if sku.get("num_iid") and sku.get("sku_id") and _matches(sku, outer_id)
    ]


def item_targets(answer: dict, outer_id: str) -> list[dict]:
    items = unwrap((answer.get("items_custom_get_response") or {}).get("items"), "item")
    return [
        {"num_iid": str(item["num_iid"]), "sku_id": ""}
        for item in items
        if item.get("num_iid") and _matches(item, outer_id)
    ]


def quantity_update_params(target: dict, quantity: int) -> dict[str, str]:
    params = {"num_iid": target["num_iid"], "quantity": str(quantity), "type": FULL_UPDATE}
    if target.get("sku_id"):
        params["sku_id"] = target["sku_id"]
    return params
