"""Every write on orders: creation in the standard format, status transitions, issues and the event log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from oms.catalog.models import Product
from oms.core.actors import Actor
from oms.core.addresses import address_complete, address_is_empty, is_masked
from oms.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from oms.core.phones import phone_to_e164
from oms.locations.models import Location
from oms.orders import events
from oms.orders.extensions import order_holds_stock
from oms.orders.models import DeliveryMethod, Order, OrderEvent, OrderIssue, OrderLine, OrderStatus
from oms.orders.transitions import CANCELLABLE, HOLDABLE, can_transition
from oms.orders.types import NewOrder, NewOrderLine
from oms.tenancy.models import Merchant

CENT = Decimal("0.01")
AWAITING_PAYMENT = "awaiting_payment"
PLATFORM_HOLD = "platform_hold"
SELF_RELEASING_TAGS = (AWAITING_PAYMENT, PLATFORM_HOLD)
LINES_EDITABLE = frozenset({OrderStatus.NEW, OrderStatus.ON_HOLD, OrderStatus.BACKORDERED})


def request_fingerprint(body) -> str:
    """A stable hash of a request body, to tell a replay from a different request under the same key."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _sequence_name(merchant: Merchant) -> str:
    return f"order_number_{merchant.pk.hex}"


def order_number_sequence_create(merchant: Merchant) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {_sequence_name(merchant)}")


def order_number_next(merchant: Merchant) -> str:
    """Numbers come from a per-merchant PostgreSQL sequence: no row lock, so a flood never queues on it."""
    name = _sequence_name(merchant)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is None:
            try:
                with transaction.atomic():
                    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
            except IntegrityError:
                pass  # created concurrently by another transaction
        cursor.execute("SELECT nextval(%s)", [name])
        value = cursor.fetchone()[0]
    return f"SO{value:06d}"


def event_record(
    *, order: Order, kind: str, message: str = "", actor: Actor | None = None, reason: str = "", data=None
) -> OrderEvent:
    actor = actor or Actor.system()
    return OrderEvent.objects.create(
        merchant_id=order.merchant_id,
        order=order,
        at=timezone.now(),
        kind=kind,
        message=message,
        reason=reason,
        actor_id=actor.user_id,
        actor_label=actor.label,
        data=data or {},
    )


def issue_add(*, order: Order, code: str, message: str) -> OrderIssue:
    return OrderIssue.objects.create(merchant_id=order.merchant_id, order=order, code=code, message=message)


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def order_create(
    *,
    merchant: Merchant,
    channel,
    data: NewOrder,
    actor: Actor,
    idempotency_key: str = "",
    request_hash: str = "",
) -> tuple[Order, bool]:
    """Accept an order in the standard format. Returns (order, created); a replay returns the first order.

    An order with problems (unknown SKU, missing or unknown address, invalid phone, totals that do not add
    up) is still accepted and carries issues; nothing is rejected and lost.
    """
    existing = _order_existing(merchant, channel, data, idempotency_key, request_hash)
    if existing is not None:
        return existing, False
    if not data.lines and not data.cancelled:
        raise ValidationFailed("an order needs at least one line", fields={"lines": ["required"]})
    try:
        with transaction.atomic():
            return _order_insert(merchant, channel, data, actor, idempotency_key, request_hash), True
    except IntegrityError:
        existing = _order_existing(merchant, channel, data, idempotency_key, request_hash)
        if existing is None:
            raise
        return existing, False


def _order_existing(
    merchant, channel, data: NewOrder, idempotency_key: str, request_hash: str
) -> Order | None:
    orders = Order.objects.for_merchant(merchant)
    if idempotency_key:
        found = orders.filter(idempotency_key=idempotency_key).first()
        if found is not None:
            if request_hash and found.request_hash and found.request_hash != request_hash:
                raise Conflict(
                    "this Idempotency-Key was used with a different request body",
                    code="idempotency_key_reused",
                )
            return found
    if data.external_id:
        found = orders.filter(channel=channel, external_id=data.external_id).first()
        if found is not None:
            if request_hash and found.request_hash and found.request_hash != request_hash:
                raise Conflict(
                    f"order {data.external_id} of this channel exists already as {found.number}",
                    code="duplicate_external_id",
                    fields={"external_id": ["exists"]},
                )
            return found
    return None


@dataclass
class _Draft:
    """An order's fields, lines and problems worked out from a ``NewOrder``, before anything is written."""

    fields: dict
    lines: list[tuple[int, NewOrderLine, Decimal, Product | None]]
    problems: list[tuple[str, str]]


def _draft(merchant, data: NewOrder) -> _Draft:
    problems: list[tuple[str, str]] = []
    pickup_location = None
    if data.pickup_location_code:
        pickup_location = (
            Location.objects.for_merchant(merchant).filter(code=data.pickup_location_code).first()
        )
        if pickup_location is None:
            problems.append(("unknown_location", f"pickup location {data.pickup_location_code!r} is unknown"))

    address = address_complete(data.shipping_address)
    if address_is_empty(data.shipping_address):
        if data.delivery_method != DeliveryMethod.PICKUP:
            problems.append(("missing_address", "the order has no shipping address"))
    else:
        problems += [(p.code, p.message) for p in address.problems]
    country = address.address.get("country") or "CN"

    customer = {
        key: " ".join(str((data.customer or {}).get(key) or "").split()) for key in ("name", "email", "phone")
    }
    if customer["phone"] and not is_masked(customer["phone"]):
        e164 = phone_to_e164(customer["phone"], country)
        if e164:
            customer["phone"] = e164
        else:
            problems.append(
                ("invalid_phone", f"customer phone {customer['phone']!r} is not a valid phone number")
            )
    if not address.address.get("name"):
        address.address["name"] = customer["name"]
    if not address.address.get("phone") and customer["phone"].startswith("+"):
        address.address["phone"] = customer["phone"]

    skus = {line.sku for line in data.lines if line.sku}
    products = {p.sku: p for p in Product.objects.for_merchant(merchant).filter(sku__in=skus)}
    line_rows = []
    computed_subtotal = Decimal("0")
    for position, line in enumerate(data.lines, start=1):
        computed = _money(line.unit_price * line.quantity)
        line_total = _money(line.total) if line.total is not None else computed
        if line.total is not None and line_total != computed:
            problems.append(
                (
                    "total_mismatch",
                    f"line {position} ({line.sku}): total {line_total} ≠ {line.quantity} × {line.unit_price}",
                )
            )
        computed_subtotal += line_total
        product = products.get(line.sku)
        if product is None:
            problems.append(
                (
                    "unknown_sku",
                    f"line {position}: SKU {line.sku or line.channel_sku!r} is not in the catalog",
                )
            )
        line_rows.append((position, line, line_total, product))

    subtotal = _money(data.subtotal) if data.subtotal is not None else _money(computed_subtotal)
    if data.subtotal is not None and subtotal != _money(computed_subtotal):
        problems.append(("total_mismatch", f"subtotal {subtotal} ≠ sum of lines {_money(computed_subtotal)}"))
    expected_total = (
        subtotal + _money(data.shipping_total) - _money(data.discount_total) + _money(data.tax_total)
    )
    total = _money(data.total) if data.total is not None else expected_total
    if data.total is not None and total != expected_total:
        problems.append(
            ("total_mismatch", f"total {total} ≠ subtotal + shipping − discount + tax = {expected_total}")
        )
    if total < 0:
        raise ValidationFailed("the order total is negative", fields={"total": ["negative"]})
    fields = {
        "currency": (data.currency or merchant.currency).upper(),
        "priority": data.priority,
        "order_type": data.order_type,
        "delivery_method": data.delivery_method,
        "pickup_location": pickup_location,
        "subtotal": subtotal,
        "shipping_total": _money(data.shipping_total),
        "discount_total": _money(data.discount_total),
        "tax_total": _money(data.tax_total),
        "total": total,
        "customer_name": customer["name"],
        "customer_email": customer["email"].lower(),
        "customer_phone": customer["phone"],
        "shipping_address": address.address,
        "region_code": address.address.get("region_code", ""),
        "note": data.note,
    }
    return _Draft(fields=fields, lines=line_rows, problems=problems)


def _lines_write(order: Order, draft: _Draft) -> None:
    OrderLine.objects.bulk_create(
        OrderLine(
            merchant_id=order.merchant_id,
            order=order,
            position=position,
            sku=line.sku,
            product=product,
            channel_sku=line.channel_sku,
            title=line.title or (product.title if product else ""),
            variant=line.variant,
            quantity=line.quantity,
            unit_price=_money(line.unit_price),
            total=line_total,
        )
        for position, line, line_total, product in draft.lines
    )


def _issues_write(order: Order, problems: list[tuple[str, str]]) -> None:
    OrderIssue.objects.bulk_create(
        OrderIssue(merchant_id=order.merchant_id, order=order, code=code, message=message)
        for code, message in problems
    )


def _order_insert(merchant, channel, data: NewOrder, actor: Actor, idempotency_key, request_hash) -> Order:
    draft = _draft(merchant, data)
    waits_for_payment = data.payment_pending and not data.cancelled
    platform_hold = bool(data.platform_hold) and not data.cancelled and not waits_for_payment
    tags = (
        list(data.tags)
        + ([AWAITING_PAYMENT] if waits_for_payment else [])
        + ([PLATFORM_HOLD] if platform_hold else [])
    )
    order = Order.objects.create(
        merchant=merchant,
        number=order_number_next(merchant),
        channel=channel,
        external_id=data.external_id,
        external_number=data.external_number,
        status=OrderStatus.ON_HOLD if data.hold or waits_for_payment or platform_hold else OrderStatus.NEW,
        placed_at=data.placed_at or timezone.now(),
        tags=tags,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        platform_status=data.platform_status,
        platform_updated_at=data.platform_updated_at,
        **draft.fields,
    )
    _lines_write(order, draft)
    _issues_write(order, draft.problems)
    event_record(
        order=order,
        kind="created",
        message=f"Order received from {channel.name}"
        + (f" ({data.external_number or data.external_id})" if data.external_id else ""),
        actor=actor,
        data={"issues": [code for code, _ in draft.problems], "platform_status": data.platform_status},
    )
    if data.cancelled:
        order_transition(
            merchant=merchant,
            order_id=order.pk,
            to=OrderStatus.CANCELLED,
            actor=actor,
            kind="cancelled",
            message="Cancelled on the platform before it reached us",
            reason=data.platform_status,
        )
        order.status = OrderStatus.CANCELLED
    elif waits_for_payment:
        event_record(
            order=order,
            kind="held",
            message="Waiting for the buyer's payment",
            actor=actor,
            reason=data.platform_status,
        )
    elif platform_hold:
        event_record(
            order=order, kind="held", message="Held by the platform", actor=actor, reason=data.platform_hold
        )
    elif data.hold:
        event_record(order=order, kind="held", message="Created on hold", actor=actor)
    else:
        events.publish(events.ORDER_ACCEPTED, merchant_id=merchant.pk, order_id=order.pk)
    return order


def _merge_contact(stored: dict, incoming: dict) -> dict:
    """Newer values win, but a blank or masked value (``王**``, ``138****8821``) never erases a stored one."""
    merged = dict(stored)
    for key, value in incoming.items():
        if (value and not is_masked(str(value))) or key not in merged:
            merged[key] = value
    return merged


def _lines_relink(order: Order) -> bool:
    """Lines of a once unknown SKU get their product when the catalog has it; the issue closes at the last."""
    loose = list(order.lines.filter(product__isnull=True).exclude(sku=""))
    products = {
        p.sku: p
        for p in Product.objects.for_merchant(order.merchant).filter(sku__in={line.sku for line in loose})
    }
    linked = [line for line in loose if line.sku in products]
    for line in linked:
        line.product = products[line.sku]
        line.save(update_fields=["product", "updated_at"])
    if linked and not order.lines.filter(product__isnull=True).exists():
        order.issues.filter(code="unknown_sku", resolved_at__isnull=True).update(resolved_at=timezone.now())
    return bool(linked)


def _line_signature(rows) -> list[tuple]:
    return [(sku, quantity, _money(price)) for sku, quantity, price in rows]


def order_apply_channel_version(
    *, merchant: Merchant, order_id, data: NewOrder, actor: Actor, allow_same_version: bool = False
) -> str:
    """Apply a newer version of an order from its platform. Returns ``stale``, ``unchanged`` or ``updated``.

    The platform's own updated time decides: an older or equal version never overwrites a newer one (an
    equal one is applied again only on a replay, e.g. after a SKU mapping was fixed).
    Address and contact changes apply field by field (blank or masked values keep what is stored); line
    changes apply while the order is not yet allocated, later ones become a ``late_change`` issue; a
    cancellation on the platform cancels the order; a payment releases an order waiting for it.
    """
    with transaction.atomic():
        order = Order.objects.for_merchant(merchant).select_for_update().filter(pk=order_id).first()
        if order is None:
            raise NotFound("no such order")
        if (
            data.platform_updated_at is not None
            and order.platform_updated_at is not None
            and (
                data.platform_updated_at < order.platform_updated_at
                or (data.platform_updated_at == order.platform_updated_at and not allow_same_version)
            )
        ):
            return "stale"
        draft = _draft(merchant, data)
        changes: list[str] = []
        address = _merge_contact(order.shipping_address, draft.fields["shipping_address"])
        if address != order.shipping_address:
            before = order.shipping_address
            order.shipping_address = address
            order.region_code = address.get("region_code", "")
            changes.append("address")
            event_record(
                order=order,
                kind="address_changed",
                message="Shipping address changed on the platform",
                actor=actor,
                data={"before": before, "after": address},
            )
        for key in ("customer_name", "customer_email", "customer_phone"):
            value = draft.fields[key]
            if value and not is_masked(value) and value != getattr(order, key):
                setattr(order, key, value)
                changes.append(key)
        if _lines_relink(order):
            changes.append("relinked")
        stored_lines = _line_signature(order.lines.values_list("sku", "quantity", "unit_price"))
        incoming_lines = _line_signature(
            (line.sku, line.quantity, line.unit_price) for _, line, _, _ in draft.lines
        )
        if data.lines and incoming_lines != stored_lines:
            if order.status in LINES_EDITABLE and not order_holds_stock(order):
                order.lines.all().delete()
                _lines_write(order, draft)
                for key in ("subtotal", "shipping_total", "discount_total", "tax_total", "total"):
                    setattr(order, key, draft.fields[key])
                order.issues.filter(
                    resolved_at__isnull=True, code__in=["unknown_sku", "total_mismatch"]
                ).update(resolved_at=timezone.now())
                _issues_write(order, [p for p in draft.problems if p[0] in ("unknown_sku", "total_mismatch")])
                changes.append("lines")
                event_record(
                    order=order,
                    kind="lines_changed",
                    message="Items changed on the platform",
                    actor=actor,
                    data={
                        "before": [list(map(str, r)) for r in stored_lines],
                        "after": [list(map(str, r)) for r in incoming_lines],
                    },
                )
            else:
                issue_add(
                    order=order,
                    code="late_change",
                    message=f"the platform changed the items after the order was {order.status}",
                )
                changes.append("late_change")
        if data.platform_status != order.platform_status:
            changes.append("platform_status")
        order.platform_status = data.platform_status or order.platform_status
        order.platform_updated_at = data.platform_updated_at or order.platform_updated_at
        order.save()
    if data.cancelled and order.status in CANCELLABLE:
        order_cancel(merchant=merchant, order_id=order.pk, actor=actor, reason="cancelled on the platform")
        changes.append("cancelled")
    elif data.platform_hold and order.status in HOLDABLE and PLATFORM_HOLD not in order.tags:
        Order.objects.filter(pk=order.pk).update(tags=[*order.tags, PLATFORM_HOLD])
        order_hold(
            merchant=merchant,
            order_id=order.pk,
            actor=actor,
            reason=f"held by the platform: {data.platform_hold}",
        )
        changes.append("held")
    elif (
        not data.payment_pending
        and not data.platform_hold
        and order.status == OrderStatus.ON_HOLD
        and any(tag in order.tags for tag in SELF_RELEASING_TAGS)
    ):
        why = "paid on the platform" if AWAITING_PAYMENT in order.tags else "the platform released it"
        Order.objects.filter(pk=order.pk).update(tags=[t for t in order.tags if t not in SELF_RELEASING_TAGS])
        order_release(merchant=merchant, order_id=order.pk, actor=actor, reason=why)
        changes.append("released")
    if "lines" in changes and order.status == OrderStatus.NEW:
        events.publish(events.ORDER_CHANGED, merchant_id=merchant.pk, order_id=order.pk)
    return "updated" if changes else "unchanged"


def order_transition(
    *, merchant: Merchant, order_id, to: str, actor: Actor, kind: str, message: str = "", reason: str = ""
) -> Order:
    """Compare-and-set the status: zero rows updated means someone else moved it first, and it is refused."""
    with transaction.atomic():
        order = Order.objects.for_merchant(merchant).filter(pk=order_id).first()
        if order is None:
            raise NotFound("no such order")
        source = order.status
        if not can_transition(source, to):
            raise InvalidTransition(
                f"an order that is {source} cannot become {to}", fields={"status": [source]}
            )
        updated = Order.objects.filter(pk=order.pk, status=source).update(
            status=to, updated_at=timezone.now()
        )
        if not updated:
            raise InvalidTransition(
                "the order changed meanwhile; reload and try again", fields={"status": [source]}
            )
        order.status = to
        event_record(
            order=order,
            kind=kind,
            message=message or f"{source} → {to}",
            actor=actor,
            reason=reason,
            data={"from": source, "to": to},
        )
    return order


def order_cancel(*, merchant: Merchant, order_id, actor: Actor, reason: str = "") -> Order:
    order = order_transition(
        merchant=merchant,
        order_id=order_id,
        to=OrderStatus.CANCELLED,
        actor=actor,
        kind="cancelled",
        message="Order cancelled",
        reason=reason,
    )
    events.publish(events.ORDER_CANCELLED, merchant_id=merchant.pk, order_id=order.pk)
    return order


def order_hold(*, merchant: Merchant, order_id, actor: Actor, reason: str = "") -> Order:
    order = order_transition(
        merchant=merchant,
        order_id=order_id,
        to=OrderStatus.ON_HOLD,
        actor=actor,
        kind="held",
        message="Order put on hold",
        reason=reason,
    )
    events.publish(events.ORDER_HELD, merchant_id=merchant.pk, order_id=order.pk)
    return order


def order_release(*, merchant: Merchant, order_id, actor: Actor, reason: str = "") -> Order:
    order = Order.objects.for_merchant(merchant).filter(pk=order_id).first()
    if order is not None and order.status != OrderStatus.ON_HOLD:
        raise InvalidTransition(f"only an order on hold can be released; this one is {order.status}")
    order = order_transition(
        merchant=merchant,
        order_id=order_id,
        to=OrderStatus.NEW,
        actor=actor,
        kind="released",
        message="Hold released",
        reason=reason,
    )
    events.publish(events.ORDER_RELEASED, merchant_id=merchant.pk, order_id=order.pk)
    return order


REALLOCATABLE = frozenset(
    {OrderStatus.NEW, OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_ALLOCATED, OrderStatus.BACKORDERED}
)


def order_reallocate(*, merchant: Merchant, order_id, actor: Actor, reason: str = "") -> Order:
    """Ask the inventory stage to give back the order's stock and allocate it afresh (after a policy or stock
    change). The request is logged here; the allocation decision and its reasons follow in the timeline."""
    order = Order.objects.for_merchant(merchant).filter(pk=order_id).first()
    if order is None:
        raise NotFound("no such order")
    if order.status not in REALLOCATABLE:
        raise InvalidTransition(f"an order that is {order.status} cannot be re-allocated")
    with transaction.atomic():
        event_record(
            order=order,
            kind="reallocation_requested",
            message="Re-allocation requested",
            actor=actor,
            reason=reason,
        )
        events.publish(events.ORDER_CHANGED, merchant_id=merchant.pk, order_id=order.pk)
    return order
