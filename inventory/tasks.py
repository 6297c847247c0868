from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from inventory.services import allocation
from oms.tenancy.models import Merchant

# A lost connection or a deadlock victim is worth another try; every task here is safe to run twice.
RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 2, "max_retries": 5}
STUCK_AFTER = timedelta(minutes=5)


def _merchant(merchant_id):
    return Merchant.objects.filter(pk=merchant_id).first()


@shared_task(name="inventory.tasks.order_allocate_task", soft_time_limit=60, time_limit=90, **RETRY)
def order_allocate_task(*, merchant_id: str, order_id: str, event: str = "") -> None:
    allocation.order_allocate(merchant=_merchant(merchant_id), order_id=order_id)


@shared_task(name="inventory.tasks.order_release_task", soft_time_limit=60, time_limit=90, **RETRY)
def order_release_task(*, merchant_id: str, order_id: str, event: str = "") -> None:
    allocation.order_release_stopped(merchant=_merchant(merchant_id), order_id=order_id, reason=event)


@shared_task(name="inventory.tasks.order_reallocate_task", soft_time_limit=60, time_limit=90, **RETRY)
def order_reallocate_task(*, merchant_id: str, order_id: str, event: str = "") -> None:
    merchant = _merchant(merchant_id)
    allocation.order_release(merchant=merchant, order_id=order_id, reason="the order's lines changed")
    allocation.order_allocate(merchant=merchant, order_id=order_id)


@shared_task(name="inventory.tasks.backorders_allocate_task", soft_time_limit=300, time_limit=360, **RETRY)
def backorders_allocate_task(merchant_id: str, product_ids: list[str]) -> None:
    allocation.backorders_allocate(merchant=_merchant(merchant_id), product_ids=product_ids)


@shared_task(name="inventory.tasks.backorders_sweep_task", soft_time_limit=300, time_limit=360)
def backorders_sweep_task() -> None:
    """Safety net: waiting orders are retried even if the task that should have woken them was lost, and so
    are orders still ``new`` minutes after they arrived (their allocation task was lost)."""
    for merchant in Merchant.objects.filter(is_active=True):
        allocation.orders_unallocated_allocate(merchant=merchant, older_than=timezone.now() - STUCK_AFTER)
        allocation.backorders_allocate(merchant=merchant, limit=100)


# --- Replenishment and supplier digests ---------------------------------------------------------------------


@shared_task(name="inventory.tasks.replenishment_scan_task", soft_time_limit=300, time_limit=360)
def replenishment_scan_task() -> None:
    """Beat, every 10 minutes: one scan per active merchant, then the supplier digests that are due."""
    for merchant_id in Merchant.objects.filter(is_active=True).values_list("pk", flat=True):
        replenishment_scan_merchant_task.delay(str(merchant_id))
    supplier_digest_task.delay()


@shared_task(name="inventory.tasks.replenishment_scan_merchant_task", soft_time_limit=120, time_limit=180)
def replenishment_scan_merchant_task(merchant_id: str) -> None:
    from inventory.replenishment import replenishment_alerts_scan

    replenishment_alerts_scan(merchant=_merchant(merchant_id))


@shared_task(name="inventory.tasks.replenishment_check_task", soft_time_limit=60, time_limit=90)
def replenishment_check_task(*, merchant_id: str, product_ids: list[str], event: str = "") -> None:
    """For ``oms.orders.events.STOCK_CHANGED``: check only the products that changed."""
    from inventory.replenishment import replenishment_alerts_scan

    replenishment_alerts_scan(merchant=_merchant(merchant_id), product_ids=product_ids)


@shared_task(name="inventory.tasks.supplier_digest_task", soft_time_limit=300, time_limit=360)
def supplier_digest_task() -> None:
    """The weekly stock email of every supplier that opted in and whose last one is a week old."""
    from inventory.suppliers import supplier_digests_send_due

    supplier_digests_send_due()


@shared_task(
    name="inventory.tasks.replenishment_alerts_notify_task",
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OSError,),  # the mail server is down or slow: try again later
    retry_backoff=30,
    max_retries=5,
)
def replenishment_alerts_notify_task(merchant_id: str, alert_ids: list[str]) -> None:
    """Mail the purchasing role about alerts just raised (enqueued after the alerts are committed)."""
    from inventory.replenishment import alerts_notify

    alerts_notify(merchant=_merchant(merchant_id), alert_ids=alert_ids)
