"""A real Celery worker on the real Redis broker runs our tasks against the real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from oms.core.models import WorkerHeartbeat
from tests.helpers import test_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or settings.REDIS_URL
    assert url, "REDIS_URL must name the test Redis (make test starts one when none is given)"
    return url


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_through_redis_runs_in_a_worker_process(redis_url):
    broker = redis_url.rsplit("/", 1)[0] + "/15"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "oms.settings.test",
    }
    send = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from oms.core.tasks import worker_heartbeat_task as t; t.delay()",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert send.returncode == 0, send.stderr
    assert not WorkerHeartbeat.objects.exists()  # queued, not run in-process

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "oms",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "test-worker@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not WorkerHeartbeat.objects.exists():
            time.sleep(0.3)
        assert WorkerHeartbeat.objects.count() == 1
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)


def test_celery_is_configured_not_to_lose_work():
    from oms.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] >= app.conf.task_time_limit
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
