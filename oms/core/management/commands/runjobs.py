"""The quick start's beat and worker in one: runs the periodic jobs of CELERY_BEAT_SCHEDULE in-process.

Used by ``make run`` when no broker is configured (tasks are eager there); with a broker, run
``celery -A oms worker`` and ``celery -A oms beat`` instead.
"""

from __future__ import annotations

import logging
import time

from celery.schedules import maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from oms.celery import app

logger = logging.getLogger("oms.jobs")


class Command(BaseCommand):
    help = "Run the periodic jobs in this process (quick start without Celery)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument("--tick", type=float, default=1.0)

    def handle(self, *args, once: bool, tick: float, **options):
        app.loader.import_default_modules()
        entries = {
            name: (entry["task"], maybe_schedule(entry["schedule"]))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        last_run: dict[str, object] = {}
        self.stdout.write(f"running {len(entries)} periodic jobs in-process: {', '.join(sorted(entries))}")
        while True:
            for name, (task_name, schedule) in entries.items():
                due = once or name not in last_run or schedule.is_due(last_run[name]).is_due
                if not due:
                    continue
                last_run[name] = timezone.now()
                close_old_connections()
                try:
                    app.tasks[task_name].apply(throw=True)
                except Exception:  # a failing job must not stop the others; it is logged with its traceback
                    logger.exception("jobs.failed", extra={"job": name})
            if once:
                return
            time.sleep(tick)
