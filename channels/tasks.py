from celery import shared_task

from channels import intake
from channels.adapters.base import RetryableError


@shared_task(
    name="channels.tasks.inbound_event_process_task",
    autoretry_for=(RetryableError,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def inbound_event_process_task(event_id: str) -> None:
    intake.inbound_event_process(event_id=event_id)


@shared_task(name="channels.tasks.inbound_sweep_task")
def inbound_sweep_task() -> None:
    intake.inbound_sweep()


@shared_task(name="channels.tasks.channel_poll_dispatch_task")
def channel_poll_dispatch_task() -> None:
    for channel_id in intake.channel_poll_due():
        channel_poll_task.delay(channel_id)


@shared_task(name="channels.tasks.channel_poll_task", soft_time_limit=300, time_limit=360)
def channel_poll_task(channel_id: str) -> None:
    intake.channel_poll(channel_id=channel_id)


@shared_task(name="channels.tasks.import_job_run_task", soft_time_limit=1800, time_limit=1900)
def import_job_run_task(job_id: str) -> None:
    from channels import imports

    imports.import_job_run(job_id=job_id)


# --- Stock sync to channels (channels.stock_sync) ---------------------------------------------------------


@shared_task(name="channels.tasks.stock_changed_mark_task", soft_time_limit=60, time_limit=90)
def stock_changed_mark_task(event: str = "", merchant_id: str = "", product_ids: list | None = None) -> None:
    from channels import stock_sync

    stock_sync.stock_changed_mark(merchant_id=merchant_id, product_ids=product_ids or [])


@shared_task(name="channels.tasks.stock_push_sweep_task", soft_time_limit=90, time_limit=120)
def stock_push_sweep_task() -> None:
    from channels import stock_sync

    stock_sync.stock_push_sweep()


@shared_task(name="channels.tasks.stock_reconcile_task", soft_time_limit=300, time_limit=360)
def stock_reconcile_task() -> None:
    from channels import stock_sync

    stock_sync.stock_reconcile()
