"""Douyin shop (抖店) JSON → ``NewOrder``, push messages, and both signatures. Pure: no Django, no network.

API calls: ``sign`` = lower-case hex HMAC-SHA256 (key: app_secret) of ``app_secret + "app_key" + key +
"method" + method + "param_json" + json + "timestamp" + ts + "v" + "2" + app_secret``; ``param_json`` is the
business object with its keys sorted, no spaces, and is also the POST body.

Push: a JSON array of ``{tag, msg_id, data}``, ``data`` a JSON document in a string. Header ``event-sign`` =
lower-case hex MD5 of ``app_key + raw body + app_secret`` and ``app-id`` = the app key.

Orders: money in fen (integers) → yuan; times in Unix seconds. ``order_id`` is a string; ``product_id``,
``p_id`` and ``s_ids`` are integers above 2^53, kept exact by Python's JSON and turned into strings.
Receiver name, phone and street come as ``encrypt_*`` ciphertexts plus ``mask_*`` values; the masks (or the
clear fields, when the platform still sends them) pass as they are, the core never lets a blank or masked
value overwrite stored data.

Amounts: a line's ``origin_amount`` is its unit price and ``sum_amount`` its total; ``subtotal`` is the sum of
lines, ``shipping_total`` is ``post_amount``, ``discount_total`` is ``promotion_amount`` (shop + platform +
talent promotions), ``tax_total`` is ``tax_amount``, ``total`` is ``pay_amount``. That pay = goods + post -
promotions (+ tax) is our reading of the field docs: if the platform's figure differs, the order carries a
``total_mismatch`` issue rather than a figure of our own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal

from channels.adapters.base import NotPlatformFormat
from channels.adapters.douyin import status_map
from oms.orders.types import NewOrder, NewOrderLine

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
API_VERSION = "2"
SUCCESS = 10000

# Trade message tags that change an order (message docs, as the SDKs register them): each one is answered by
# reading the order again with order.orderDetail.
TRADE_TAGS = {
    "100": "doudian_trade_TradeCreate",
    "101": "doudian_trade_TradePaid",
    "102": "doudian_trade_TradeSellerShip",
    "103": "doudian_trade_TradeSuccess",
    "104": "doudian_trade_TradeLogisticsChanged",
    "105": "doudian_trade_TradeAddressChanged",
    "106": "doudian_trade_TradeCanceled",
    "108": "doudian_trade_TradePartlySellerShip",
    "109": "doudian_trade_TradeAmountChanged",
    "110": "doudian_trade_TradePending",
    "113": "doudian_trade_TradeMemoModify",
}


def param_json(params: dict) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def api_sign(*, app_key: str, app_secret: str, method: str, param_json: str, timestamp: str) -> str:
    text = (
        f"{app_secret}app_key{app_key}method{method}param_json{param_json}"
        f"timestamp{timestamp}v{API_VERSION}{app_secret}"
    )
    return hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def event_sign(*, app_key: str, body: bytes, app_secret: str) -> str:
    digest = hashlib.md5(app_key.encode() + body + app_secret.encode(), usedforsecurity=False)
    return digest.hexdigest()


def load(body: bytes | str):
    return json.loads(body, parse_float=Decimal)


def push_messages(body: bytes) -> list[dict]:
    """The messages of a push body; NotPlatformFormat unless it is a non-empty array of tagged messages."""
    try:
        data = load(body)
    except ValueError as exc:
        raise NotPlatformFormat(f"not JSON: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise NotPlatformFormat("a Douyin push is a non-empty JSON array of messages")
    for message in data:
        if not isinstance(message, dict) or _text(message.get("tag")) == "":
            raise NotPlatformFormat("a Douyin push message needs a tag")
    return data


def message_id(message: dict) -> str:
    return _text(message.get("msg_id", message.get("msgId")))


def message_data(message: dict) -> dict:
    data = message.get("data")
    if isinstance(data, str):
        try:
            data = load(data)
        except ValueError as exc:
            raise NotPlatformFormat(f"message data is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise NotPlatformFormat("message data is not a JSON object")
    return data


def fetch_ids(messages: list[dict]) -> list[str]:
    """The shop order ids (``p_id``) the trade messages name, once each, in order."""
    ids: list[str] = []
    for message in messages:
        if _text(message.get("tag")) not in TRADE_TAGS:
            continue
        order_id = _text(message_data(message).get("p_id"))
        if not order_id:
            raise NotPlatformFormat(f"trade message {message_id(message)} has no p_id")
        if order_id not in ids:
            ids.append(order_id)
    return ids


def yuan(fen) -> Decimal:
    if fen is None or fen == "":
        return ZERO
    return (Decimal(str(fen)) / 100).quantize(CENT)


def unix_time(value) -> datetime | None:
    seconds = int(value or 0)
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def is_ciphertext(value: str) -> bool:
    """Douyin ciphertexts are wrapped in their delimiter (``#…##`` names and addresses, ``$…$$`` phones)."""
    return len(value) > 4 and value[0] == value[-1] and value[0] in "#$~"


def readable(value, mask) -> str:
    """The clear or masked value to keep: a ciphertext (or nothing) gives way to the mask."""
    text = _text(value)
    return _text(mask) if not text or is_ciphertext(text) else text


def _name(address: dict, level: str) -> str:
    return _text(((address or {}).get(level) or {}).get("name"))


def _spec(spec) -> str:
    return ";".join(
        f"{_text(item.get('name'))}:{_text(item.get('value'))}"
        if _text(item.get("name"))
        else _text(item.get("value"))
        for item in spec or []
        if isinstance(item, dict)
    )


def line_from_sku(sku: dict) -> NewOrderLine:
    sku_id = _text(sku.get("sku_id"))
    return NewOrderLine(
        sku=_text(sku.get("out_sku_id")) or _text(sku.get("code")),
        channel_sku=(sku_id if sku_id not in ("", "0") else "") or _text(sku.get("product_id_str")),
        title=_text(sku.get("product_name")),
        variant=_spec(sku.get("spec")),
        quantity=int(sku.get("item_num") or 0),
        unit_price=yuan(sku.get("origin_amount")),
        total=yuan(sku.get("sum_amount")),
    )


def order_from_doudian(order: dict) -> NewOrder:
    """One ``shop_order_detail`` (or a ``shop_order_list`` entry: the same fields) → ``NewOrder``."""
    status = status_map.status_of(order.get("order_status"))
    address = order.get("post_addr") or {}
    masked = order.get("mask_post_addr") or {}
    name = readable(order.get("post_receiver"), order.get("mask_post_receiver"))
    phone = readable(order.get("post_tel"), order.get("mask_post_tel"))
    street = _name(address, "street") or _name(masked, "street")
    detail = readable(address.get("detail"), masked.get("detail"))
    if detail and street and not detail.startswith(street):
        detail = street + detail
    lines = tuple(line_from_sku(sku) for sku in order.get("sku_order_list") or [])
    presale = any(
        _text(sku.get("pre_sale_type")) not in ("", "0") for sku in order.get("sku_order_list") or []
    )
    return NewOrder(
        external_id=_text(order["order_id"]),
        external_number=_text(order["order_id"]),
        currency="CNY",
        placed_at=unix_time(order.get("create_time")),
        platform_updated_at=unix_time(order.get("update_time")),
        platform_status=status.platform_status,
        payment_pending=status.payment_pending,
        platform_hold=status.platform_hold,
        cancelled=status.cancelled,
        hold=status.hold,
        order_type="presale" if presale else "normal",
        customer={"name": name, "email": "", "phone": phone},
        shipping_address={
            "name": name,
            "phone": phone,
            "country": "CN",
            "province": _name(address, "province") or _name(masked, "province"),
            "city": _name(address, "city") or _name(masked, "city"),
            "district": _name(address, "town") or _name(masked, "town"),
            "detail": detail,
            "postal_code": "",
        },
        subtotal=sum((line.total for line in lines), ZERO),
        shipping_total=yuan(order.get("post_amount")),
        discount_total=yuan(order.get("promotion_amount")),
        tax_total=yuan(order.get("tax_amount")),
        total=yuan(order.get("pay_amount")),
        note=_text(order.get("buyer_words")),
        lines=lines,
    )


def response_data(response: dict) -> dict:
    data = response.get("data")
    if not isinstance(data, dict):
        raise NotPlatformFormat("a Douyin API answer without data")
    return data


def order_from_detail_response(response: dict) -> NewOrder:
    detail = response_data(response).get("shop_order_detail")
    if not isinstance(detail, dict):
        raise NotPlatformFormat("order.orderDetail answered without shop_order_detail")
    return order_from_doudian(detail)


def orders_from_search_response(response: dict) -> list[NewOrder]:
    return [order_from_doudian(order) for order in response_data(response).get("shop_order_list") or []]


# --- stock push -----------------------------------------------------------------------------------------
# ``sku.syncStock`` (POST ``/sku/syncStock``): ``code`` is the SKU's merchant code (商家编码, as the shop
# back office shows it), ``incremental: false`` replaces the stock with ``stock_num`` (true would add to it
# and need an ``idempotent_id``). An ``out_warehouse_id`` sets a regional warehouse's stock instead.

SYNC_STOCK = "sku.syncStock"


def sync_stock_params(code: str, quantity: int, out_warehouse_id: str = "") -> dict:
    params = {"code": code, "incremental": False, "stock_num": quantity}
    if out_warehouse_id:
        params["out_warehouse_id"] = out_warehouse_id
    return params
