"""Amazon SP-API Orders v0 JSON → the standard order. Pure: no Django, no network.

A poll page is stored as one composite JSON document, because an Amazon order needs two calls
(``getOrders`` gives the order, ``getOrderItems`` its lines)::

    {"getOrders": <getOrders response as received>,
     "getOrderItems": {"<AmazonOrderId>": [<getOrderItems response, page 1>, <page 2>, ...]}}

Money is a string ``Amount`` next to a ``CurrencyCode``; ``ItemPrice`` is the LINE total (unit price ×
quantity), not the unit price. While an order is ``Pending`` Amazon leaves out ``OrderTotal``, the
shipping address, the buyer and every price of its items.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from channels.adapters.amazon import status_map
from oms.orders.types import NewOrder, NewOrderLine

ZERO = Decimal("0")
# The currency each marketplace sells in (ids as python-amazon-sp-api's Marketplaces enum lists them): a
# Pending order has no OrderTotal and no prices, yet its currency must be right from the start.
MARKETPLACE_CURRENCY = {
    "ATVPDKIKX0DER": "USD",  # US
    "A2EUQ1WTGCTBG2": "CAD",  # CA
    "A1AM78C64UM0Y8": "MXN",  # MX
    "A2Q3Y263D00KWC": "BRL",  # BR
    "A1F83G8C2ARO7P": "GBP",  # UK
    "A1PA6795UKMFR9": "EUR",  # DE
    "A13V1IB3VIYZZH": "EUR",  # FR
    "APJ6JRA9NG5V4": "EUR",  # IT
    "A1RKKUPIHCS9HS": "EUR",  # ES
    "A1805IZSGTT6HS": "EUR",  # NL
    "AMEN7PMS3EDWL": "EUR",  # BE
    "A28R8C7NBKEWEA": "EUR",  # IE
    "A2NODRKZP88ZB9": "SEK",  # SE
    "A1C3SOZRARQ6R3": "PLN",  # PL
    "A33AVAJ2PDY3EV": "TRY",  # TR
    "A2VIGQ35RCS4UG": "AED",  # AE
    "A17E79C6D8DWNP": "SAR",  # SA
    "ARBP9OOSHTCHU": "EGP",  # EG
    "AE08WJ6YKNBMC": "ZAR",  # ZA
    "A21TJRUUN4KGV": "INR",  # IN
    "A1VC38T7YXB528": "JPY",  # JP
    "A39IBJ37TRP1C6": "AUD",  # AU
    "A19VAU5U5O7RUS": "SGD",  # SG
}


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 (``2026-11-21T18:22:07Z``) → aware UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """Aware datetime → the ISO 8601 form Amazon's filters take (``2026-11-21T18:00:00Z``)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: dict | None) -> Decimal | None:
    """A ``Money`` object (``{"CurrencyCode": "USD", "Amount": "47.97"}``) → Decimal; None when absent."""
    if not value or value.get("Amount") in (None, ""):
        return None
    return Decimal(str(value["Amount"]))


def _sum(items: Iterable[dict], key: str) -> Decimal:
    return sum((money(item.get(key)) or ZERO for item in items), ZERO)


def _currency(order: dict, items: list[dict]) -> str:
    if (order.get("OrderTotal") or {}).get("CurrencyCode"):
        return order["OrderTotal"]["CurrencyCode"]
    for item in items:
        for key in ("ItemPrice", "ItemTax", "ShippingPrice"):
            if (item.get(key) or {}).get("CurrencyCode"):
                return item[key]["CurrencyCode"]
    return MARKETPLACE_CURRENCY.get(order.get("MarketplaceId") or "", "")


def line_from_item(item: dict) -> NewOrderLine:
    """``ItemPrice`` is the line total: the unit price is ItemPrice / QuantityOrdered."""
    quantity = int(item.get("QuantityOrdered") or 0)
    line_total = money(item.get("ItemPrice"))
    if line_total is None:
        unit_price, total = ZERO, None
    elif quantity:
        unit_price, total = line_total / quantity, line_total
    else:
        unit_price, total = ZERO, None
    seller_sku = item.get("SellerSKU") or ""
    return NewOrderLine(
        sku=seller_sku,
        channel_sku=seller_sku or item.get("ASIN") or "",
        title=item.get("Title") or "",
        quantity=quantity,
        unit_price=unit_price,
        total=total,
    )


def lines_from_items(items: list[dict]) -> tuple[NewOrderLine, ...]:
    """Items with ``QuantityOrdered`` 0 (cancelled) are left out.

    An order whose every item is at 0 (a cancelled order) keeps them at quantity 1 and price 0, because an
    order line needs a positive quantity and an order at least one line.
    """
    lines = [line_from_item(item) for item in items]
    kept = tuple(line for line in lines if line.quantity > 0)
    if kept or not lines:
        return kept
    return tuple(replace(line, quantity=1, unit_price=ZERO, total=ZERO) for line in lines)


def shipping_address(order: dict) -> dict:
    """Without a Restricted Data Token only City, StateOrRegion, PostalCode and CountryCode are given."""
    address = order.get("ShippingAddress") or {}
    if not address:
        return {}
    lines = [address.get(key) or "" for key in ("AddressLine1", "AddressLine2", "AddressLine3")]
    return {
        "name": address.get("Name") or "",
        "phone": address.get("Phone") or "",
        "country": address.get("CountryCode") or "",
        "province": address.get("StateOrRegion") or "",
        "city": address.get("City") or "",
        "district": address.get("District") or address.get("County") or "",
        "detail": ", ".join(line for line in lines if line),
        "postal_code": address.get("PostalCode") or "",
    }


def order_from_amazon(order: dict, items: list[dict]) -> NewOrder:
    status = order.get("OrderStatus") or ""
    buyer = order.get("BuyerInfo") or {}
    address = shipping_address(order)
    total = money(order.get("OrderTotal"))
    return NewOrder(
        external_id=order["AmazonOrderId"],
        external_number=order["AmazonOrderId"],
        currency=_currency(order, items),
        placed_at=parse_time(order.get("PurchaseDate")),
        platform_updated_at=parse_time(order.get("LastUpdateDate")),
        platform_status=status,
        payment_pending=status_map.is_payment_pending(status),
        cancelled=status_map.is_cancelled(status),
        hold=status_map.is_shipped_already(status),
        customer={
            "name": buyer.get("BuyerName") or "",
            "email": buyer.get("BuyerEmail") or "",
            "phone": address.get("phone", ""),
        },
        shipping_address=address,
        shipping_total=_sum(items, "ShippingPrice"),
        discount_total=_sum(items, "PromotionDiscount") + _sum(items, "ShippingDiscount"),
        tax_total=_sum(items, "ItemTax") + _sum(items, "ShippingTax"),
        total=total,
        tags=("prime",) if order.get("IsPrime") is True else (),
        lines=lines_from_items(items),
    )


def page_body(get_orders: dict, order_items: dict[str, list[dict]]) -> bytes:
    """The composite document a poll page is stored as (see the module docstring)."""
    return json.dumps({"getOrders": get_orders, "getOrderItems": order_items}, ensure_ascii=False).encode()


def items_of(pages: list[dict]) -> list[dict]:
    """Every ``OrderItems`` entry of an order's getOrderItems pages, in order."""
    return [item for page in pages for item in ((page.get("payload") or {}).get("OrderItems") or [])]


def orders_from_page(body: bytes) -> list[NewOrder]:
    document = json.loads(body, parse_float=Decimal)
    orders = ((document.get("getOrders") or {}).get("payload") or {}).get("Orders") or []
    item_pages = document.get("getOrderItems") or {}
    return [
        order_from_amazon(order, items_of(item_pages.get(order["AmazonOrderId"]) or [])) for order in orders
    ]


# --- stock push (Listings Items API 2021-08-01) ---------------------------------------------------------
# ``patchListingsItem`` needs the listing's product type, read first with ``getListingsItem``
# (``includedData=summaries``). The quantity is patched with the ``merge`` operation on
# ``fulfillment_availability`` (Amazon's "Merge a listing" tutorial: only ``quantity`` changes, the
# selector ``fulfillment_channel_code`` must be given, ``restock_date`` and ``lead_time_to_ship_max_days``
# stay as they are); ``DEFAULT`` is the seller-fulfilled channel, the only one a seller sets stock for.

LISTINGS_PATH = "/listings/2021-08-01/items/{seller_id}/{sku}"
SELLER_FULFILLED = "DEFAULT"


def listing_product_type(item: dict, marketplace_id: str) -> str:
    """The ``productType`` of the listing's summary in the marketplace (or of its only summary); ""."""
    summaries = [s for s in item.get("summaries") or [] if isinstance(s, dict)]
    for summary in summaries:
        if summary.get("marketplaceId") == marketplace_id and summary.get("productType"):
            return str(summary["productType"])
    return str(summaries[0].get("productType") or "") if len(summaries) == 1 else ""


def fulfillment_patch(product_type: str, quantity: int, channel_code: str = SELLER_FULFILLED) -> dict:
    return {
        "productType": product_type,
        "patches": [
            {
                "op": "merge",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": channel_code, "quantity": quantity}],
            }
        ],
    }


def submission_problem(answer: dict) -> str:
    """Why a submission was not accepted (``status`` other than ACCEPTED, or an ERROR issue); "" when fine."""
    errors = [
        f"{issue.get('code', '')} {issue.get('message', '')}".strip()
        for issue in answer.get("issues") or []
        if isinstance(issue, dict) and issue.get("severity") == "ERROR"
    ]
    if answer.get("status") != "ACCEPTED" or errors:
        return f"{answer.get('status') or 'no status'}: {'; '.join(errors) or 'no issues given'}"
    return ""
