"""Domain events the core names and later stages subscribe to (see DESIGN.md, dependency direction).

A stage registers a Celery task for an event in its ``AppConfig.ready``; ``publish`` enqueues every
subscribed task after the surrounding transaction commits, with ids only.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

ORDER_ACCEPTED = "order.accepted"
ORDER_RELEASED = "order.released"
ORDER_HELD = "order.held"
ORDER_CANCELLED = "order.cancelled"
ORDER_CHANGED = "order.changed"
STOCK_CHANGED = "stock.changed"

_subscribers: dict[str, list] = defaultdict(list)


def subscribe(event: str, task) -> None:
    if task not in _subscribers[event]:
        _subscribers[event].append(task)


def subscribers(event: str) -> list:
    return list(_subscribers[event])


def publish(event: str, **payload) -> None:
    """Enqueue every subscriber of ``event`` after commit; ``payload`` holds ids (made strings) only."""
    clean = {
        key: [str(v) for v in value] if isinstance(value, list | tuple | set) else str(value)
        for key, value in payload.items()
    }
    for task in subscribers(event):
        transaction.on_commit(lambda task=task: task.delay(event=event, **clean), robust=True)


def publish_stock_changed(*, merchant_id, product_ids) -> None:
    publish(STOCK_CHANGED, merchant_id=merchant_id, product_ids=sorted({str(pk) for pk in product_ids}))
