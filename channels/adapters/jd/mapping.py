"""JD JOS ``jingdong.pop.order.search`` JSON → the standard order, and the JOS request signature.
Pure: no Django, no network.

A poll page is stored as the search answer exactly as JD sent it (it carries whole orders, items included):
``{"jingdong_pop_order_search_responce": {"code": "0", "searchorderinfo_result": {"orderInfoList": [...],
"orderTotal": N, ...}}}`` (``responce`` is JD's spelling). Every value is a string, ``itemTotal`` is the
QUANTITY of a line, times are Beijing time without an offset, province names are short (``北京``, ``广东``:
the address normalizer completes them), consignee data is masked (passed on as it is), and a gift is a
zero-priced line with an empty ``outerSkuId``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from channels.adapters.jd import status_map
from oms.orders.types import NewOrder, NewOrderLine

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
RESPONSE_KEY = "jingdong_pop_order_search_responce"
ZERO = Decimal("0")


def parse_time(text: str | None) -> datetime | None:
    """``2026-11-21 09:12:45`` (Beijing time) → aware UTC."""
    if not text:
        return None
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=BEIJING).astimezone(UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(BEIJING).strftime(TIME_FORMAT)


# --- request ---------------------------------------------------------------------------------------------


def canonical_string(params: dict[str, str]) -> str:
    """Every parameter but ``sign`` (and empty ones), sorted by name, as ``name + value``, no separator."""
    return "".join(
        f"{name}{value}"
        for name, value in sorted(params.items())
        if name != "sign" and value not in (None, "")
    )


def sign(params: dict[str, str], secret: str) -> str:
    """Upper-case hex MD5(secret + s + secret), the ``360buy_param_json`` string signed exactly as sent."""
    text = f"{secret}{canonical_string(params)}{secret}".encode()
    return hashlib.md5(text).hexdigest().upper()  # noqa: S324  the platform's signature scheme


def search_param_json(
    *, start: datetime, end: datetime, states: str, fields: str, page: int, page_size: int
) -> str:
    """The business JSON of ``jingdong.pop.order.search``: built once, then both signed and sent as it is."""
    return json.dumps(
        {
            "start_date": format_time(start),
            "end_date": format_time(end),
            "order_state": states,
            "optional_fields": fields,
            "page": str(page),
            "page_size": str(page_size),
            "sortType": "1",
            "dateType": "0",
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


# --- orders ----------------------------------------------------------------------------------------------


def _money(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def line_from_item(item: dict) -> NewOrderLine:
    """``itemTotal`` is the quantity; a gift has ``jdPrice`` 0 and no ``outerSkuId``."""
    return NewOrderLine(
        sku=item.get("outerSkuId") or "",
        channel_sku=str(item.get("skuId") or ""),
        title=item.get("skuName") or "",
        quantity=int(item.get("itemTotal") or 0),
        unit_price=_money(item.get("jdPrice")),
    )


def _street(consignee: dict) -> str:
    """``fullAddress`` without the province, city and county it starts with (the town stays)."""
    text = consignee.get("fullAddress") or ""
    for part in (consignee.get("province"), consignee.get("city"), consignee.get("county")):
        if part and text.startswith(part):
            text = text[len(part) :]
    return text.strip()


def shipping_address(consignee: dict) -> dict:
    """``consigneeInfo``. Without a ``fullAddress`` JD has withheld the address: its region fields are left
    blank too, so that the region alone (JD's ``county`` is often an area such as 三环到四环之间 that the
    normalizer keeps as street text) never stands in for a street stored before."""
    phone = consignee.get("mobile") or consignee.get("telephone") or ""
    withheld = not (consignee.get("fullAddress") or "").strip()
    return {
        "name": consignee.get("fullname") or "",
        "phone": phone,
        "country": "CN",
        "province": "" if withheld else consignee.get("province") or "",
        "city": "" if withheld else consignee.get("city") or "",
        "district": "" if withheld else consignee.get("county") or "",
        "detail": _street(consignee),
        "postal_code": "",
    }


def order_from_jd(info: dict) -> NewOrder:
    state = info.get("orderState") or ""
    address = shipping_address(info.get("consigneeInfo") or {})
    return NewOrder(
        external_id=str(info["orderId"]),
        external_number=str(info["orderId"]),
        currency="CNY",
        placed_at=parse_time(info.get("orderStartTime")),
        platform_updated_at=parse_time(info.get("modified")),
        platform_status=state,
        payment_pending=False,
        cancelled=status_map.is_cancelled(state),
        platform_hold=status_map.platform_hold(state),
        hold=status_map.is_shipped_already(state),
        customer={"name": address["name"], "email": "", "phone": address["phone"]},
        shipping_address=address,
        subtotal=_money(info["orderTotalPrice"]) if info.get("orderTotalPrice") not in (None, "") else None,
        shipping_total=_money(info.get("freightPrice")),
        discount_total=_money(info.get("sellerDiscount")),
        tax_total=ZERO,
        total=_money(info["orderPayment"]) if info.get("orderPayment") not in (None, "") else None,
        note=info.get("orderRemark") or "",
        lines=tuple(line_from_item(item) for item in info.get("itemInfoList") or []),
    )


def page_body(document: dict) -> bytes:
    """The search answer as a poll page is stored: the document as JD sent it."""
    return json.dumps(document, ensure_ascii=False).encode()


def search_result(document: dict) -> dict:
    return (document.get(RESPONSE_KEY) or {}).get("searchorderinfo_result") or {}


def orders_from_page(body: bytes) -> list[NewOrder]:
    document = json.loads(body, parse_float=Decimal)
    return [order_from_jd(info) for info in search_result(document).get("orderInfoList") or []]


# --- stock push -----------------------------------------------------------------------------------------
# ``jingdong.stock.write.updateSkuStock`` sets a SKU's stock by JD ``skuId`` (``stockNum``; ``storeId``
# for a store's stock). The seller's code is JD's SKU ``outerId``: ``jingdong.sku.read.searchSkuList`` with
# ``outId`` finds the skuId (answer ``page.data[]`` with ``skuId``, ``wareId``, ``outerId``).

SKU_SEARCH = "jingdong.sku.read.searchSkuList"
STOCK_UPDATE = "jingdong.stock.write.updateSkuStock"
SKU_SEARCH_KEY = "jingdong_sku_read_searchSkuList_responce"
STOCK_UPDATE_KEY = "jingdong_stock_write_updateSkuStock_responce"
SKU_FIELDS = "skuId,wareId,outerId"


def _json(params: dict) -> str:
    return json.dumps(params, ensure_ascii=False, separators=(",", ":"))


def sku_search_param_json(outer_id: str) -> str:
    return _json({"outId": outer_id, "field": SKU_FIELDS})


def sku_ids(document: dict, outer_id: str) -> list[str]:
    """The JD skuIds whose ``outerId`` is exactly the seller's code."""
    page = (document.get(SKU_SEARCH_KEY) or {}).get("page") or {}
    return [
        str(sku["skuId"])
        for sku in page.get("data") or []
        if isinstance(sku, dict) and sku.get("skuId") and str(sku.get("outerId") or "") == outer_id
    ]


def stock_update_param_json(sku_id: str, quantity: int, store_id: str = "") -> str:
    params = {"skuId": int(sku_id), "stockNum": quantity}
    if store_id:
        params["storeId"] = int(store_id)
    return _json(params)


def stock_update_succeeded(document: dict) -> bool:
    return (document.get(STOCK_UPDATE_KEY) or {}).get("success") is not False
