"""Youzan (有赞云) JSON → ``NewOrder``, push messages and their signatures. Pure: no Django, no network.

Push (doc.youzanyun.com message docs as the SDKs bind them; see tests/fixtures/channels/youzan/README.md): a
JSON object ``{client_id, id, kdt_id, kdt_name, mode, msg, msg_id, root_kdt_id, sendCount, sign, status, test,
type, version}``; ``msg`` is the message itself, a URL-encoded (UTF-8) JSON document; ``id`` is the order
number (tid) for trade messages. Two signatures, both lower-case hex MD5 with the app's client_secret:

* header ``Event-Sign`` = MD5(client_id + raw body + client_secret), the one the message docs recommend
  (cuncle/youzanyun-push-demo citing doc.youzanyun.com/resource/develop-guide/41355/41536);
* field ``sign`` = MD5(client_id + msg + client_secret), ``msg`` exactly as sent (still URL-encoded), the
  older scheme (youzanyun.com/docs/guide/3401/3448; koaqiu/open-sdk-csharp, slince/youzan-pay). It covers
  ``msg`` only.

Older pushes (``type`` TRADE_ORDER_STATE …) carry no ``msg_id``; their event id is ``type:id:status:version``
(``version`` is the message version, "higher overrides lower"; a resend keeps it and bumps ``sendCount``).

Orders (``youzan.trades.sold.get`` 4.0.4 ``data.full_order_info_list[].full_order_info``,
``youzan.trade.get`` ``data.full_order_info``): money in yuan as strings (``"281.70"``; floats in one older
SDK), through ``Decimal(str(x))``; times ``yyyy-MM-dd HH:mm:ss`` Beijing time. ``pay_info.total_fee`` is the
goods total before discounts, ``post_fee`` the postage, ``payment`` what is to be paid ("payment = sum of
orders.payment"); the API gives no discount total, so ``discount_total`` is ``total_fee + post_fee −
payment`` (never below 0; a payment above that sum leaves a ``total_mismatch`` issue). Whether ``payment``
includes the postage could not be confirmed (no capture with postage was found): the channel config
``payment_includes_post_fee: false`` reads ``total`` as ``payment + post_fee`` instead. A line's ``price`` is
its unit price before discounts. Receiver name, phone and street come as ciphertexts
``$<base64>$<key version>$`` (the SDK's ``singleIsEncrypt``) unless the app may read them; there is no masked
copy, so a ciphertext becomes "" (the core never lets a blank overwrite stored data).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import unquote_plus

from channels.adapters.base import NotPlatformFormat
from channels.adapters.youzan import status_map
from oms.orders.types import NewOrder, NewOrderLine

BEIJING = timezone(timedelta(hours=8))
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SUCCESS = 200
CIPHERTEXT = re.compile(r"^\$[A-Za-z0-9+/=]+\$\d+\$$")
# order_info.express_type: 0 express, 1 pickup in store (到店自提), 2 same-city delivery, 9 nothing to ship.
DELIVERY_METHODS = {0: "express", 1: "pickup", 2: "same_city"}
NO_SHIPPING = 9


# --- signatures -----------------------------------------------------------------------------------------


def event_sign(*, client_id: str, body: bytes, client_secret: str) -> str:
    """The ``Event-Sign`` header: lower-case hex MD5 of client_id + the raw body + client_secret."""
    digest = hashlib.md5(client_id.encode() + body + client_secret.encode(), usedforsecurity=False)
    return digest.hexdigest()


def message_sign(*, client_id: str, msg: str, client_secret: str) -> str:
    """The body's ``sign``: lower-case hex MD5 of client_id + msg (as sent, URL-encoded) + client_secret."""
    digest = hashlib.md5(f"{client_id}{msg}{client_secret}".encode(), usedforsecurity=False)
    return digest.hexdigest()


# --- push messages --------------------------------------------------------------------------------------


def load(body: bytes | str):
    return json.loads(body, parse_float=Decimal)


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def push_message(body: bytes) -> dict:
    """The push object; NotPlatformFormat unless it is a JSON object with a message ``type``."""
    try:
        data = load(body)
    except ValueError as exc:
        raise NotPlatformFormat(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or not data["type"].strip():
        raise NotPlatformFormat("a Youzan push is a JSON object with a message type")
    if "msg" not in data and "id" not in data:
        raise NotPlatformFormat("a Youzan push carries msg or id")
    return data


def is_push(data) -> bool:
    return isinstance(data, dict) and isinstance(data.get("type"), str) and ("msg" in data or "id" in data)


def message_id(message: dict) -> str:
    """``msg_id`` when the push has one, else ``type:id:status:version`` (older pushes)."""
    msg_id = _text(message.get("msg_id"))
    if msg_id:
        return msg_id
    parts = (message.get("type"), message.get("id"), message.get("status"), message.get("version"))
    return ":".join(_text(part) for part in parts)


def decoded_msg(message: dict) -> dict | None:
    """The message document: ``msg`` URL-decoded (``+`` is a space) and read as JSON; None when it is not."""
    msg = message.get("msg")
    if isinstance(msg, dict):
        return msg
    if not isinstance(msg, str) or not msg.strip():
        return None
    try:
        document = load(unquote_plus(msg))
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def is_test(message: dict) -> bool:
    return message.get("test") is True or _text(message.get("test")).lower() == "true"


def is_trade_message(message: dict) -> bool:
    """Trade messages name an order: ``trade_*`` (trade_TradeCreate, trade_TradeClose, trade_refund_* …)
    and the older ``TRADE_ORDER_STATE``/``TRADE_ORDER_REFUND``/``TRADE_ORDER_EXPRESS``/``TRADE``."""
    return _text(message.get("type")).upper().startswith("TRADE")


def message_tid(document: dict) -> str:
    """``tid`` (trade_TradeClose, TRADE_ORDER_STATE, refund messages) or ``full_order_info.order_info.tid``
    (trade_TradePaid carries the whole order)."""
    full = document.get("full_order_info")
    nested = (full.get("order_info") or {}).get("tid") if isinstance(full, dict) else None
    return _text(document.get("tid")) or _text(nested)


def fetch_ids(message: dict) -> list[str]:
    """The order number a trade message names (from its ``msg``, else its ``id``); none for other messages
    and for Youzan's test messages."""
    if is_test(message) or not is_trade_message(message):
        return []
    tid = message_tid(decoded_msg(message) or {}) or _text(message.get("id"))
    if not tid:
        raise NotPlatformFormat(f"trade message {message_id(message)} names no order")
    return [tid]


# --- orders ---------------------------------------------------------------------------------------------


def money(value) -> Decimal:
    if value is None or value == "":
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def beijing_time(text) -> datetime | None:
    """``2026-11-22 11:03:41`` (Beijing time) → aware UTC; blank → None."""
    text = _text(text)
    if not text:
        return None
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=BEIJING).astimezone(UTC)


def beijing_text(seconds: int) -> str:
    """Unix seconds → the ``yyyy-MM-dd HH:mm:ss`` Beijing time the search parameters take."""
    return datetime.fromtimestamp(seconds, BEIJING).strftime(TIME_FORMAT)


def is_ciphertext(value: str) -> bool:
    return bool(CIPHERTEXT.match(value))


def readable(value) -> str:
    """A clear value as it is; a ciphertext (no masked copy exists) gives way to ""."""
    text = _text(value)
    return "" if is_ciphertext(text) else text


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _id(value) -> str:
    text = _text(value)
    return "" if text in ("", "0") else text


def variant_of(sku_properties_name) -> str:
    """``[{"k":"颜色","k_id":1,"v":"白","v_id":2}]`` → ``颜色:白``; any other text as it is."""
    text = _text(sku_properties_name)
    if not text.startswith("["):
        return text
    try:
        properties = json.loads(text)
    except ValueError:
        return text
    if not isinstance(properties, list):
        return text
    return ";".join(
        f"{_text(p.get('k'))}:{_text(p.get('v'))}" if _text(p.get("k")) else _text(p.get("v"))
        for p in properties
        if isinstance(p, dict)
    )


def line_from_item(item: dict) -> NewOrderLine:
    sku = _text(item.get("outer_sku_id")) or _text(item.get("outer_item_id"))
    return NewOrderLine(
        sku=sku,
        channel_sku=_id(item.get("sku_id")) or _id(item.get("item_id")) or sku,
        title=_text(item.get("title")),
        variant=variant_of(item.get("sku_properties_name")),
        quantity=_int(item.get("num")),
        unit_price=money(item.get("price")),
    )


def order_from_youzan(info: dict, *, payment_includes_post_fee: bool = True) -> NewOrder:
    """One ``full_order_info`` → ``NewOrder``."""
    order_info = info.get("order_info") or {}
    pay = info.get("pay_info") or {}
    address = info.get("address_info") or {}
    items = info.get("orders") or []
    tid = _text(order_info.get("tid"))
    if not tid:
        raise NotPlatformFormat("a Youzan order without order_info.tid")
    status = status_map.status_of(order_info.get("status"), order_info.get("refund_state"))
    express_type = _int(order_info.get("express_type"))
    name = readable(address.get("receiver_name"))
    phone = readable(address.get("receiver_tel"))
    subtotal = money(pay.get("total_fee")) if pay.get("total_fee") not in (None, "") else None
    shipping = money(pay.get("post_fee"))
    total = money(pay.get("payment")) if pay.get("payment") not in (None, "") else None
    if total is not None and not payment_includes_post_fee:
        total += shipping
    discount = max(ZERO, (subtotal or ZERO) + shipping - total) if total is not None else ZERO
    return NewOrder(
        external_id=tid,
        external_number=tid,
        currency="CNY",
        placed_at=beijing_time(order_info.get("created")),
        platform_updated_at=beijing_time(order_info.get("update_time")),
        platform_status=status.platform_status,
        payment_pending=status.payment_pending,
        platform_hold=status.platform_hold,
        cancelled=status.cancelled,
        hold=status.hold or express_type == NO_SHIPPING,
        tags=("no_shipping",) if express_type == NO_SHIPPING else (),
        delivery_method=DELIVERY_METHODS.get(express_type, "express"),
        order_type="presale" if any(_text(item.get("is_pre_sale")) == "1" for item in items) else "normal",
        customer={"name": name, "email": "", "phone": phone},
        shipping_address={
            "name": name,
            "phone": phone,
            "country": "CN",
            "province": _text(address.get("delivery_province")),
            "city": _text(address.get("delivery_city")),
            "district": _text(address.get("delivery_district")),
            "detail": readable(address.get("delivery_address")),
            "postal_code": _text(address.get("delivery_postal_code")),
        },
        subtotal=subtotal,
        shipping_total=shipping,
        discount_total=discount,
        tax_total=ZERO,
        total=total,
        note=_text((info.get("remark_info") or {}).get("buyer_message")),
        lines=tuple(line_from_item(item) for item in items),
    )


def response_data(response) -> dict:
    if not isinstance(response, dict) or not isinstance(response.get("data"), dict):
        raise NotPlatformFormat("a Youzan API answer without data")
    return response["data"]


def _data_field(response, name: str):
    data = response.get("data") if isinstance(response, dict) else None
    return data.get(name) if isinstance(data, dict) else None


def is_sold_response(response) -> bool:
    return isinstance(_data_field(response, "full_order_info_list"), list)


def is_trade_response(response) -> bool:
    return isinstance(_data_field(response, "full_order_info"), dict)


def orders_from_sold_response(response: dict, **options) -> list[NewOrder]:
    """Every order of a ``youzan.trades.sold.get`` answer."""
    return [
        order_from_youzan(entry.get("full_order_info") or {}, **options)
        for entry in response_data(response).get("full_order_info_list") or []
    ]


def order_from_trade_response(response: dict, **options) -> NewOrder:
    """The order of a ``youzan.trade.get`` answer."""
    info = response_data(response).get("full_order_info")
    if not isinstance(info, dict):
        raise NotPlatformFormat("youzan.trade.get answered without full_order_info")
    return order_from_youzan(info, **options)


# --- stock push -----------------------------------------------------------------------------------------
# ``youzan.skus.custom.get`` 3.0.0 (``item_no``: the SKU's merchant code) lists the SKUs carrying the code
# with their ``item_id`` and ``sku_id``; ``youzan.item.quantity.update`` 3.0.0 sets a SKU's stock
# (``item_id``, ``sku_id``, ``quantity``; ``type`` 0 = full update, 1 = increment).

SKUS_CUSTOM_GET = "youzan.skus.custom.get"
ITEM_QUANTITY_UPDATE = "youzan.item.quantity.update"
STOCK_API_VERSION = "3.0.0"
FULL_UPDATE = 0


def sku_targets(response: dict, item_no: str) -> list[dict]:
    """``[{"item_id", "sku_id"}]`` of the SKUs whose ``item_no`` is exactly the code."""
    skus = _data_field(response, "skus") or []
    return [
        {"item_id": _id(sku.get("item_id")), "sku_id": _id(sku.get("sku_id"))}
        for sku in skus
        if isinstance(sku, dict)
        and sku.get("item_id")
        and sku.get("sku_id")
        and _text(sku.get("item_no")) in ("", item_no)
    ]


def quantity_update_body(target: dict, quantity: int) -> dict:
    return {
        "item_id": int(target["item_id"]),
        "sku_id": int(target["sku_id"]),
        "quantity": quantity,
        "type": FULL_UPDATE,
    }


def quantity_updated(response: dict) -> bool:
    """A success answer whose data does not say ``is_success: false``."""
    return _data_field(response, "is_success") is not False
