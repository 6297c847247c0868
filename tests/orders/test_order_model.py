from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from channels.services import channel_for_internal
from oms.core.actors import Actor
from oms.orders.models import OrderEvent, OrderStatus
from oms.orders.services import order_create, order_transition
from oms.orders.transitions import TRANSITIONS
from oms.orders.types import NewOrder, NewOrderLine


def make_order(merchant, **fields):
    data = NewOrder(lines=(NewOrderLine(sku="A", quantity=1, unit_price=Decimal("5")),), **fields)
    order, _ = order_create(
        merchant=merchant,
        channel=channel_for_internal(merchant=merchant, kind="api"),
        data=data,
        actor=Actor.system(),
    )
    return order


def test_events_are_append_only(merchant):
    event = make_order(merchant).events.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderEvent.objects.filter(pk=event.pk).update(message="rewritten")

    assert OrderEvent.objects.get(pk=event.pk).message == event.message


def test_every_status_is_in_the_table_and_terminal_ones_lead_nowhere():
    assert set(TRANSITIONS) == set(OrderStatus.values)
    assert TRANSITIONS[OrderStatus.CANCELLED] == TRANSITIONS[OrderStatus.COMPLETED] == frozenset()
    for targets in TRANSITIONS.values():
        assert targets <= set(OrderStatus.values)


@pytest.mark.parametrize(
    ("source", "target"), [(s, t) for s in OrderStatus.values for t in OrderStatus.values]
)
def test_transition_follows_the_table(merchant, source, target):
    order = make_order(merchant)
    type(order).objects.filter(pk=order.pk).update(status=source)
    allowed = target in TRANSITIONS[source]

    if allowed:
        changed = order_transition(
            merchant=merchant, order_id=order.pk, to=target, actor=Actor.system(), kind="test"
        )
        assert changed.status == target
        assert order.events.filter(kind="test").get().data == {"from": source, "to": target}
    else:
        with pytest.raises(Exception, match="cannot become"):
            order_transition(
                merchant=merchant, order_id=order.pk, to=target, actor=Actor.system(), kind="test"
            )
        order.refresh_from_db()
        assert order.status == source
        assert not order.events.filter(kind="test").exists()


def test_money_is_decimal_with_two_places(merchant):
    order = make_order(merchant, shipping_total=Decimal("0.1"), tax_total=Decimal("0.2"))

    assert order.total == Decimal("5.30")
    assert isinstance(order.total, Decimal)


def test_a_platform_hold_on_a_later_version_holds_and_a_clean_version_releases(merchant):
    from datetime import UTC, datetime

    from oms.orders.services import order_apply_channel_version

    order = make_order(merchant, external_id="P-1", platform_updated_at=datetime(2026, 11, 11, 1, tzinfo=UTC))
    locked = NewOrder(
        lines=(NewOrderLine(sku="A", quantity=1, unit_price=Decimal("5")),),
        external_id="P-1",
        platform_hold="LOCKED",
        platform_updated_at=datetime(2026, 11, 11, 2, tzinfo=UTC),
    )
    clean = NewOrder(
        lines=(NewOrderLine(sku="A", quantity=1, unit_price=Decimal("5")),),
        external_id="P-1",
        platform_updated_at=datetime(2026, 11, 11, 3, tzinfo=UTC),
    )

    assert order_apply_channel_version(
        merchant=merchant, order_id=order.pk, data=locked, actor=Actor.system()
    ) == ("updated")
    order.refresh_from_db()
    assert (order.status, order.tags) == ("on_hold", ["platform_hold"])
    assert order.events.get(kind="held").reason == "held by the platform: LOCKED"

    order_apply_channel_version(merchant=merchant, order_id=order.pk, data=clean, actor=Actor.system())
    order.refresh_from_db()
    assert (order.status, order.tags) == ("new", [])


def test_a_cancelled_order_may_arrive_without_lines(merchant):
    data = NewOrder(lines=(), external_id="C-1", cancelled=True)

    created, _ = order_create(
        merchant=merchant,
        channel=channel_for_internal(merchant=merchant, kind="api"),
        data=data,
        actor=Actor.system(),
    )

    assert (created.status, created.lines.count(), str(created.total)) == ("cancelled", 0, "0.00")
