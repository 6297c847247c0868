"""Concurrency on the real PostgreSQL: many threads (each its own connection) allocating scarce stock, mixed
with counts, receipts and cancellations; then the real stack (gunicorn processes and Celery workers on Redis)
flooded with orders for a SKU with little stock. Never an oversold unit, never a deadlock, the ledger always
reconciles, and units that come free go to the oldest backorders."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import OperationalError, connection

from inventory.models import Allocation, AllocationStatus, StockLevel
from inventory.selectors import ledger_mismatches
from inventory.services.allocation import order_allocate
from inventory.services.stock import InsufficientStock, stock_adjust
from oms.core.errors import Conflict, InvalidTransition
from oms.orders import events
from oms.orders.models import Order, OrderStatus
from oms.orders.services import order_cancel
from oms.tenancy.services import api_token_create
from tests.conftest import make_merchant
from tests.helpers import test_database_url
from tests.inventory.conftest import CLERK, address, levels, make_location, make_product, place, receive

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run_threads(jobs) -> list[BaseException]:
    """Run each job in its own thread with its own database connection, all released at once."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (a lock never released)"
    return errors


def quietly_placed(monkeypatch, merchant, lines_list) -> list:
    """Orders created with no subscriber listening, so they stay ``new`` until a thread allocates them."""
    with monkeypatch.context() as patch:
        patch.setattr(events, "_subscribers", defaultdict(list))
        return [place(merchant, lines) for lines in lines_list]


def assert_consistent(merchant) -> None:
    for level in StockLevel.objects.for_merchant(merchant):
        assert 0 <= level.allocated <= level.on_hand
    assert ledger_mismatches(merchant=merchant) == []
    for order in Order.objects.for_merchant(merchant).prefetch_related("lines", "allocations"):
        ordered = sum(line.quantity for line in order.lines.all())
        kept = sum(a.quantity for a in order.allocations.all() if a.status != AllocationStatus.RELEASED)
        active = sum(a.quantity for a in order.allocations.all() if a.status == AllocationStatus.ACTIVE)
        assert kept <= ordered, order.number
        expected = {
            OrderStatus.ALLOCATED: kept == ordered,
            OrderStatus.PARTIALLY_ALLOCATED: 0 < kept < ordered,
            OrderStatus.BACKORDERED: kept == 0,
            OrderStatus.CANCELLED: active == 0,
            OrderStatus.ON_HOLD: active == 0,
        }
        assert expected.get(order.status, False), (order.number, order.status, kept, ordered)


@pytest.fixture
def scarce(db, merchant):
    """10 units of one SKU across 2 locations."""
    make_location(merchant, "SZ1")
    make_location(merchant, "GZ1")
    make_product(merchant, "HOT")
    receive(merchant, "SZ1", "HOT", 6)
    receive(merchant, "GZ1", "HOT", 4)
    return merchant


@pytest.mark.django_db(transaction=True)
def test_fifty_threads_allocating_ten_units_allocate_exactly_ten(scarce, monkeypatch):
    orders = quietly_placed(monkeypatch, scarce, [{"HOT": 1 + i % 3} for i in range(52)])

    errors = run_threads([lambda pk=o.pk: order_allocate(merchant=scarce, order_id=pk) for o in orders])

    assert errors == []
    assert levels(scarce) == {("SZ1", "HOT"): (6, 6), ("GZ1", "HOT"): (4, 4)}
    assert sum(Allocation.objects.filter(order__in=orders).values_list("quantity", flat=True)) == 10
    counts = defaultdict(int)
    for status in Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True):
        counts[status] += 1
    assert set(counts) <= {OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_ALLOCATED, OrderStatus.BACKORDERED}
    assert counts[OrderStatus.PARTIALLY_ALLOCATED] <= 1  # an order is short only when it takes the last units
    assert_consistent(scarce)


@pytest.mark.django_db(transaction=True)
def test_allocations_mixed_with_counts_receipts_cancellations_and_arrivals_stay_consistent(
    scarce, monkeypatch
):
    waiting = quietly_placed(monkeypatch, scarce, [{"HOT": 1 + i % 2} for i in range(30)])
    chance = random.Random(20261126)  # a fixed workload
    jobs = [lambda pk=o.pk: order_allocate(merchant=scarce, order_id=pk) for o in waiting]
    for index in range(8):  # orders arriving through the service: allocated after their commit
        jobs.append(lambda index=index: place(scarce, {"HOT": 1 + index % 2}))
    for pk in chance.sample([o.pk for o in waiting], 8):
        jobs.append(lambda pk=pk: order_cancel(merchant=scarce, order_id=pk, actor=CLERK))
    for code, units in [("SZ1", 3), ("GZ1", 2), ("SZ1", 1)]:
        jobs.append(lambda code=code, units=units: receive(scarce, code, "HOT", units))
    for code, units in [("SZ1", 2), ("GZ1", 1)]:  # counts below what is allocated: units taken back
        jobs.append(
            lambda code=code, units=units: stock_adjust(
                merchant=scarce, warehouse=code, sku="HOT", set_on_hand=units, actor=CLERK
            )
        )
    chance.shuffle(jobs)

    errors = run_threads(jobs)

    assert not [e for e in errors if isinstance(e, OperationalError)], errors  # no deadlock, no lock timeout
    # A cancellation may lose the race against the allocation that moved the order on (409, the client
    # reloads); a count may find the orders to take back from busy five times in a row (409 busy).
    assert all(isinstance(e, InvalidTransition | Conflict) for e in errors), errors
    assert not [e for e in errors if isinstance(e, InsufficientStock)]
    assert not Order.objects.for_merchant(scarce).filter(status=OrderStatus.NEW).exists()
    assert_consistent(scarce)
    free = sum(level.on_hand - level.allocated for level in StockLevel.objects.for_merchant(scarce))
    waiting_orders = Order.objects.for_merchant(scarce).filter(
        status__in=[OrderStatus.BACKORDERED, OrderStatus.PARTIALLY_ALLOCATED]
    )
    assert free == 0 or not waiting_orders.exists(), "units left free while orders wait for them"


# --- the acceptance stress test: gunicorn + Celery workers on Redis -----------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Api:
    """Keep-alive HTTP client of one thread."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        self.conn.request(
            method, path, body=json.dumps(body) if body is not None else None, headers=self.headers
        )
        response = self.conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")


def wait_until(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def stack(broker_url):
    """gunicorn (3 processes × 4 threads) and 2 Celery worker processes on the test database and broker."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "oms.settings.test",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    worker = [
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
    ]
    commands = [
        [
            str(BIN / "gunicorn"),
            "oms.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "3",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        [
            *worker,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"stress-a-{os.getpid()}@%h",
        ],
        [
            *worker,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"stress-b-{os.getpid()}@%h",
        ],
    ]
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        for command in commands
    ]
    try:
        wait_until(lambda: _port_open(port), 90, "gunicorn to listen")
        yield port
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def broker_url():
    url = (os.environ.get("REDIS_URL") or settings.REDIS_URL).rsplit("/", 1)[0] + "/11"
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


ORDERS = 300
THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_a_flood_of_orders_through_gunicorn_and_celery_never_oversells(stack):
    merchant = make_merchant("stress")
    token = api_token_create(merchant=merchant, name="t", scopes=["read", "write"]).secret
    make_location(merchant, "SZ1")
    make_location(merchant, "GZ1")
    make_product(merchant, "HOT")
    receive(merchant, "SZ1", "HOT", 6)
    receive(merchant, "GZ1", "HOT", 4)
    units = 10
    bodies = iter(range(ORDERS))
    answers: list[int] = []
    lock = threading.Lock()

    def client():
        api = Api(stack, token)
        while True:
            with lock:
                index = next(bodies, None)
            if index is None:
                return
            status, _ = api.call(
                "POST",
                "/api/v1/orders/",
                {
                    "external_id": f"S-{index}",
                    "shipping_address": address("440305"),
                    "lines": [{"sku": "HOT", "quantity": 1, "unit_price": "9.90"}],
                },
            )
            with lock:
                answers.append(status)

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    orders = Order.objects.for_merchant(merchant)
    assert answers == [201] * ORDERS
    wait_until(lambda: not orders.filter(status=OrderStatus.NEW).exists(), 240, "every order to be allocated")

    assert levels(merchant) == {("SZ1", "HOT"): (6, 6), ("GZ1", "HOT"): (4, 4)}
    assert ledger_mismatches(merchant=merchant) == []
    assert orders.filter(status=OrderStatus.ALLOCATED).count() == units
    backordered = orders.filter(status=OrderStatus.BACKORDERED)
    assert backordered.count() == ORDERS - units
    assert backordered.filter(
        issues__code="insufficient_stock", issues__resolved_at__isnull=True
    ).count() == (ORDERS - units)
    assert_consistent(merchant)

    # then: cancel 3 allocated orders and receive 5 units through the API; the 8 oldest backorders get them
    oldest = list(backordered.order_by("placed_at", "created_at").values_list("pk", flat=True)[:8])
    cancelled = list(orders.filter(status=OrderStatus.ALLOCATED).values_list("pk", flat=True)[:3])
    api = Api(stack, token)
    for pk in cancelled:
        assert api.call("POST", f"/api/v1/orders/{pk}/cancel/", {"reason": "customer"})[0] == 200
    status, level = api.call(
        "POST", "/api/v1/stock/adjustments/", {"warehouse": "GZ1", "sku": "HOT", "delta": 5}
    )
    assert (status, level["on_hand"]) == (201, 9)

    def settled() -> bool:
        stock = StockLevel.objects.for_merchant(merchant)
        return (
            sum(level.allocated for level in stock) == 15
            and orders.filter(status=OrderStatus.ALLOCATED).count() == 15
        )

    wait_until(settled, 180, "the freed and received units to reach the backorders")
    time.sleep(1)  # nothing else moves afterwards
    assert set(orders.filter(pk__in=oldest).values_list("status", flat=True)) == {OrderStatus.ALLOCATED}
    assert orders.filter(status=OrderStatus.ALLOCATED).count() == 15
    assert orders.filter(status=OrderStatus.BACKORDERED).count() == ORDERS - units - 8
    assert set(orders.filter(pk__in=cancelled).values_list("status", flat=True)) == {OrderStatus.CANCELLED}
    assert levels(merchant) == {("SZ1", "HOT"): (6, 6), ("GZ1", "HOT"): (9, 9)}
    assert ledger_mismatches(merchant=merchant) == []
    assert_consistent(merchant)
