from celery import shared_task

from inventory.services import allocation
from oms.tenancy.models import Merchant


def _merchant(merchant_id):
    return Merchant.objects.filter(pk=merchant_id).first()


@shared_task(name="inventory.tasks.order_allocate_task", soft_time_limit=60, time_limit=90)
def order_allocate_task(*, merchant_id: str, order_id: str, event: str = "") -> None:
    allocation.order_allocate(merchant=_merchant(merchant_id), order_id=order_id)


@shared_task(name="inventory.tasks.order_release_task", soft_time_limit=60, time_limit=90)
def order_release_task(*, merchant_id: str, order_id: str, event: str = "") -> None:
    allocation.order_release(merchant=_merchant(merchant_id), order_id=order_id, reason=event)


@shared_task(name="inventory.tasks.order_reallocate_task", soft_time_limit=60, time_limit=90)
def order_reallocate_task(*, merchant_id: str, order_id: str, event: str = "") -> None:
    merchant = _merchant(merchant_id)
    allocation.order_release(merchant=merchant, order_id=order_id, reason="the order's lines changed")
    allocation.order_allocate(merchant=merchant, order_id=order_id)


@shared_task(name="inventory.tasks.backorders_allocate_task", soft_time_limit=300, time_limit=360)
def backorders_allocate_task(merchant_id: str, product_ids: list[str]) -> None:
    allocation.backorders_allocate(merchant=_merchant(merchant_id), product_ids=product_ids)


@shared_task(name="inventory.tasks.backorders_sweep_task", soft_time_limit=300, time_limit=360)
def backorders_sweep_task() -> None:
    """Safety net: waiting orders are retried even if the task that should have woken them was lost."""
    for merchant in Merchant.objects.filter(is_active=True):
        allocation.backorders_allocate(merchant=merchant, limit=100)
