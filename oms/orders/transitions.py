"""The order status machine: which status may follow which. Anything else is refused (409)."""

from oms.orders.models import OrderStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset(
        {S.ON_HOLD, S.ALLOCATED, S.PARTIALLY_ALLOCATED, S.BACKORDERED, S.CANCELLED, S.EXCEPTION}
    ),
    S.ON_HOLD: frozenset({S.NEW, S.CANCELLED}),
    S.ALLOCATED: frozenset(
        {S.NEW, S.ON_HOLD, S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED, S.EXCEPTION, S.PARTIALLY_ALLOCATED}
    ),
    S.PARTIALLY_ALLOCATED: frozenset(
        {S.NEW, S.ON_HOLD, S.ALLOCATED, S.BACKORDERED, S.PARTIALLY_SHIPPED, S.CANCELLED, S.EXCEPTION}
    ),
    S.BACKORDERED: frozenset(
        {S.NEW, S.ON_HOLD, S.ALLOCATED, S.PARTIALLY_ALLOCATED, S.CANCELLED, S.EXCEPTION}
    ),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.EXCEPTION, S.DELIVERED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.EXCEPTION}),
    S.DELIVERED: frozenset({S.COMPLETED, S.EXCEPTION}),
    S.EXCEPTION: frozenset({S.NEW, S.ON_HOLD, S.SHIPPED, S.DELIVERED, S.CANCELLED, S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

HOLDABLE = frozenset(source for source, targets in TRANSITIONS.items() if S.ON_HOLD in targets)
CANCELLABLE = frozenset(source for source, targets in TRANSITIONS.items() if S.CANCELLED in targets)


def can_transition(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())
