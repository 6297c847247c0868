"""The store counter: a clerk's order becomes a standard order on the merchant's ``store`` channel.

Delivery at the counter is one of four choices:

- ``express`` / ``same_city``: shipped to the address typed or pasted in;
- ``pickup`` ("pick up here later"): ``delivery_method=pickup`` with this store as the pickup location;
- ``taken_now``: the customer leaves with the goods. Stored as a pickup at this store with the tag
  ``taken_now`` and an order event ``handed_over``; no address is needed. The status machine has no
  "completed at once" step yet, so the order stays ``new`` and the fulfillment stage is expected to take
  its stock from this store and complete it (see the issue note).

Every store order carries the tag ``store:<code>`` (the order has no origin field). The form's hidden token
is the Idempotency-Key: a double submit returns the first order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from channels.forms import AT_STORE, StoreLine
from channels.models import ChannelKind
from channels.services import channel_for_internal
from oms.catalog.models import Product
from oms.core.actors import Actor
from oms.locations.models import Location
from oms.orders.models import DeliveryMethod, Order
from oms.orders.services import event_record, order_create, request_fingerprint
from oms.orders.types import NewOrder, NewOrderLine

TAKEN_NOW = "taken_now"
SEARCH_LIMIT = 8


@dataclass(frozen=True)
class StoreOrder:
    """What the clerk entered, checked by the form."""

    store: Location
    delivery: str
    customer: dict
    address: dict
    lines: tuple[StoreLine, ...]
    note: str = ""


def store_order_data(*, merchant, entry: StoreOrder) -> NewOrder:
    at_store = entry.delivery in AT_STORE
    tags = [f"store:{entry.store.code}"[:50]]
    if entry.delivery == TAKEN_NOW:
        tags.insert(0, TAKEN_NOW)
    return NewOrder(
        currency=merchant.currency,
        delivery_method=DeliveryMethod.PICKUP if at_store else entry.delivery,
        pickup_location_code=entry.store.code if at_store else "",
        customer=entry.customer,
        shipping_address={} if at_store else entry.address,
        note=entry.note,
        tags=tuple(tags),
        lines=tuple(
            NewOrderLine(sku=line.sku, title=line.title, quantity=line.quantity, unit_price=line.unit_price)
            for line in entry.lines
        ),
    )


def _fingerprint(entry: StoreOrder) -> str:
    return request_fingerprint(
        {
            "store": str(entry.store.pk),
            "delivery": entry.delivery,
            "customer": entry.customer,
            "address": entry.address if entry.delivery not in AT_STORE else {},
            "lines": [[line.sku, line.quantity, str(line.unit_price)] for line in entry.lines],
            "note": entry.note,
        }
    )


def _idempotency_key(token: str) -> str:
    return f"store-form:{token}"[:255]


def store_order_for_token(*, merchant, token: str) -> Order | None:
    return Order.objects.for_merchant(merchant).filter(idempotency_key=_idempotency_key(token)).first()


def store_order_submit(*, merchant, entry: StoreOrder, token: str, actor: Actor) -> tuple[Order, bool]:
    """Create the order (once per form token). Returns (order, created).

    Raises ``Conflict`` when the token was used for a different order (a stale page submitted again).
    """
    channel = channel_for_internal(merchant=merchant, kind=ChannelKind.STORE)
    with transaction.atomic():
        order, created = order_create(
            merchant=merchant,
            channel=channel,
            data=store_order_data(merchant=merchant, entry=entry),
            actor=actor,
            idempotency_key=_idempotency_key(token),
            request_hash=_fingerprint(entry),
        )
        if created and entry.delivery == TAKEN_NOW:
            event_record(
                order=order,
                kind="handed_over",
                message=f"Taken by the customer at the counter of {entry.store.name}",
                actor=actor,
                data={"store": entry.store.code},
            )
    return order, created


def store_product_search(*, merchant, query: str) -> tuple[list[Product], Product | None]:
    """Active products matching a scan or a typed text; the exact barcode/SKU match first, if any."""
    query = query.strip()
    if not query:
        return [], None
    products = Product.objects.for_merchant(merchant).filter(is_active=True)
    exact = products.filter(Q(barcode=query) | Q(sku__iexact=query)).order_by("sku").first()
    found = list(
        products.filter(Q(sku__icontains=query) | Q(title__icontains=query) | Q(barcode__startswith=query))
        .exclude(pk=exact.pk if exact else None)
        .order_by("sku")[: SEARCH_LIMIT - (1 if exact else 0)]
    )
    return ([exact] if exact else []) + found, exact
