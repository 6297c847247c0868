"""Pinduoduo's order JSON → ``NewOrder``, and the gateway's request signature. Pure: no Django, no network.

Money: ``goods_amount``, ``discount_amount``, ``postage``, ``pay_amount`` and ``goods_price`` are yuan, JSON
numbers in the official examples and strings in the SDK types: both go through ``Decimal(str(x))``.
``pay_amount = goods_amount - discount_amount + postage`` (the field docs), so ``subtotal`` is
``goods_amount``, ``discount_total`` is ``discount_amount``, ``shipping_total`` is ``postage``, ``total`` is
``pay_amount``. No currency field: CNY. Times are ``yyyy-MM-dd HH:mm:ss`` Beijing time.

Receiver data: ``receiver_name``/``receiver_phone``/``receiver_address`` (street only) are ciphertexts while
the order awaits shipment and is not under risk review, blank otherwise; ciphertexts are never shown (they
need ``pdd.open.decrypt.batch``), the ``*_mask`` values stand in for them. Clear or masked values pass as
they are; the core never lets a blank or masked value overwrite stored data.

A stored poll page is our composite of the raw responses (see ``compose_page``): the increment list, and the
``pdd.order.information.get`` answer of each order in it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from channels.adapters.pinduoduo import status_map
from oms.orders.types import NewOrder, NewOrderLine

BEIJING = timezone(timedelta(hours=8))
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
INCREMENT_KEY = "order_sn_increment_get_response"
INFORMATION_KEY = "order_info_get_response"


def sign(params: dict, client_secret: str) -> str:
    """Upper-case hex MD5 of secret + every parameter but ``sign`` sorted by name as name+value + secret."""
    canonical = "".join(f"{name}{params[name]}" for name in sorted(params) if name != "sign")
    digest = hashlib.md5(f"{client_secret}{canonical}{client_secret}".encode(), usedforsecurity=False)
    return digest.hexdigest().upper()


def load(body: bytes | str):
    return json.loads(body, parse_float=Decimal)


def compose_page(request: dict, increment: bytes, informations: list[bytes]) -> bytes:
    """One stored poll page from the raw bodies, kept byte for byte (each was checked to be JSON)."""
    head = json.dumps({"request": request}, ensure_ascii=False, separators=(",", ":"))[:-1].encode()
    return b"".join([head, b',"increment":', increment, b',"informations":[', b",".join(informations), b"]}"])


def money(value) -> Decimal:
    if value is None or value == "":
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def beijing_time(text) -> datetime | None:
    """``2026-11-21 20:14:36`` (Beijing time) → aware UTC; blank → None."""
    text = str(text or "").strip()
    if not text:
        return None
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=BEIJING).astimezone(UTC)


def is_ciphertext(value: str) -> bool:
    """PDD ciphertexts are wrapped in their delimiter (``~…~~`` names and addresses, ``$…$$`` phones)."""
    return len(value) > 4 and value[0] == value[-1] and value[0] in "~$#"


def readable(value, mask) -> str:
    """The clear or masked value to keep: a ciphertext gives way to its mask, blank stays blank."""
    text = str(value or "").strip()
    if is_ciphertext(text):
        return str(mask or "").strip()
    return text


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _id(value) -> str:
    text = _text(value)
    return "" if text in ("", "0") else text


def line_from_item(item: dict) -> NewOrderLine:
    return NewOrderLine(
        sku=_text(item.get("outer_id")),
        channel_sku=_id(item.get("sku_id")) or _text(item.get("outer_id")),
        title=_text(item.get("goods_name")),
        variant=_text(item.get("goods_spec")),
        quantity=int(item.get("goods_count") or 0),
        unit_price=money(item.get("goods_price")),
    )


def order_from_pdd(info: dict) -> NewOrder:
    """One ``order_info`` (or an ``order_sn_list`` entry, which has the same fields) → ``NewOrder``."""
    status = status_map.status_of(info)
    name = readable(info.get("receiver_name"), info.get("receiver_name_mask"))
    phone = readable(info.get("receiver_phone"), info.get("receiver_phone_mask"))
    return NewOrder(
        external_id=_text(info["order_sn"]),
        external_number=_text(info["order_sn"]),
        currency="CNY",
        placed_at=beijing_time(info.get("created_time")),
        platform_updated_at=beijing_time(info.get("updated_at")),
        platform_status=status.platform_status,
        platform_hold=status.platform_hold,
        cancelled=status.cancelled,
        hold=status.hold,
        order_type="presale" if _text(info.get("is_pre_sale")) == "1" else "normal",
        customer={"name": name, "email": "", "phone": phone},
        shipping_address={
            "name": name,
            "phone": phone,
            "country": "CN",
            "province": _text(info.get("province")),
            "city": _text(info.get("city")),
            "district": _text(info.get("town")),
            "detail": readable(info.get("receiver_address"), info.get("receiver_address_mask")),
            "postal_code": "",
        },
        subtotal=money(info.get("goods_amount")),
        shipping_total=money(info.get("postage")),
        discount_total=money(info.get("discount_amount")),
        tax_total=ZERO,
        total=money(info.get("pay_amount")),
        note=_text(info.get("buyer_memo")),
        lines=tuple(line_from_item(item) for item in info.get("item_list") or []),
    )


def order_info(response: dict) -> dict:
    """The ``order_info`` of a ``pdd.order.information.get`` answer."""
    return response[INFORMATION_KEY]["order_info"]


def orders_from_page(page: dict) -> list[NewOrder]:
    """Every order of a stored poll page: its full ``order_info`` where we read it, else the list entry."""
    details = {}
    for answer in page.get("informations") or []:
        if INFORMATION_KEY in answer:
            info = order_info(answer)
            details[_text(info.get("order_sn"))] = info
    entries = page["increment"][INCREMENT_KEY].get("order_sn_list") or []
    return [order_from_pdd(details.get(_text(entry.get("order_sn")), entry)) for entry in entries]


# --- stock push -----------------------------------------------------------------------------------------
# ``pdd.goods.quantity.update`` takes ``goods_id`` with the ``sku_id`` (or the SKU's ``outer_id``),
# ``quantity`` and ``update_type`` (1: set the count). ``pdd.goods.list.get`` with ``outer_id`` (the SKU's
# merchant code) gives ``goods_list[].goods_id`` and its ``sku_list[].{sku_id, outer_id}``.

GOODS_LIST_GET = "pdd.goods.list.get"
GOODS_QUANTITY_UPDATE = "pdd.goods.quantity.update"
GOODS_LIST_KEY = "goods_list_get_response"
QUANTITY_UPDATE_KEY = "goods_quantity_update_response"
FULL_UPDATE = 1


def goods_list_params(outer_id: str) -> dict:
    return {"outer_id": outer_id, "page": 1, "page_size": 100}


def sku_targets(answer: dict, outer_id: str) -> list[dict]:
    """``[{"goods_id", "sku_id"}]`` of the SKUs whose merchant code is exactly ``outer_id``."""
    goods_list = (answer.get(GOODS_LIST_KEY) or {}).get("goods_list") or []
    return [
        {"goods_id": _id(goods.get("goods_id")), "sku_id": _id(sku.get("sku_id"))}
        for goods in goods_list
        for sku in goods.get("sku_list") or []
        if str(sku.get("outer_id") or "") == outer_id and goods.get("goods_id") and sku.get("sku_id")
    ]


def quantity_update_params(target: dict, quantity: int) -> dict:
    return {
        "goods_id": target["goods_id"],
        "sku_id": target["sku_id"],
        "quantity": quantity,
        "update_type": FULL_UPDATE,
    }


def quantity_updated(answer: dict) -> bool:
    return (answer.get(QUANTITY_UPDATE_KEY) or {}).get("is_success") is True
