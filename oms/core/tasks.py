import socket

from celery import shared_task
from django.utils import timezone

from oms.core.models import WorkerHeartbeat


@shared_task(name="oms.core.tasks.worker_heartbeat_task")
def worker_heartbeat_task() -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"seen_at": timezone.now()}
    )
