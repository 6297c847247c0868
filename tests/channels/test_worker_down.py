"""A webhook received while no worker runs is kept and processed once a worker comes back (real Redis)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from channels.models import InboundEvent, InboundStatus
from channels.services import channel_create
from oms.celery import app
from oms.orders.models import Order
from tests.helpers import test_database_url

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests/fixtures/channels/shopify"


@pytest.fixture
def broker() -> str:
    """Celery on a private Redis database, not eager: tasks wait in Redis until a worker takes them."""
    url = (os.environ.get("REDIS_URL") or settings.REDIS_URL).rsplit("/", 1)[0] + "/14"
    redis.Redis.from_url(url).flushdb()
    saved = (app.conf.task_always_eager, app.conf.broker_url)

    def fresh_pools():
        """Pools bind the broker URL they were made with (eager tasks make one too): drop, never close,
        them, since kombu shares producer pools process-wide and a closed one breaks every later task."""
        app._pool = None
        app.amqp._producer_pool = None

    fresh_pools()
    app.conf.task_always_eager, app.conf.broker_url = False, url
    try:
        yield url
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        fresh_pools()


@pytest.mark.django_db(transaction=True)
def test_webhook_waits_in_the_broker_while_the_worker_is_down(client, merchant, broker):
    meta = json.loads((FIXTURES / "shopify_orders_create_basic.meta.json").read_text())
    channel = channel_create(merchant=merchant, kind="shopify", name="Shop", webhook_secret=meta["secret"])
    headers = {k: v for k, v in meta["headers"].items() if k != "Content-Type"}

    response = client.post(
        channel.webhook_path,
        data=(FIXTURES / "shopify_orders_create_basic.json").read_bytes(),
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 202
    event = InboundEvent.objects.get(channel=channel)
    time.sleep(1)
    event.refresh_from_db()
    assert event.status == InboundStatus.RECEIVED
    assert not Order.objects.exists()
    assert redis.Redis.from_url(broker).llen("celery") == 1

    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker,
        "DJANGO_SETTINGS_MODULE": "oms.settings.test",
    }
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
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "worker-down-test@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            event.refresh_from_db()
            if event.status != InboundStatus.RECEIVED:
                break
            time.sleep(0.3)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)

    assert event.status == InboundStatus.PROCESSED
    order = Order.objects.get(channel=channel)
    assert event.order_ids == [str(order.pk)]
    assert order.external_id == str(
        json.loads((FIXTURES / "shopify_orders_create_basic.json").read_bytes())["id"]
    )
