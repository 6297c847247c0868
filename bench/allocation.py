#!/usr/bin/env python3
"""Allocation benchmark: orders allocated per second on PostgreSQL with 1, 8 and 32 concurrent clients.

Each client is a thread with its own database connection calling the allocation service directly
(``inventory.services.allocation.order_allocate``: order lock, level locks, plan, ledger rows, allocations,
status and event), in one process, so the figures include Python's share of the work under the GIL. Two cases:

- hot: every order wants the same SKU (stock at 2 locations, enough for 80 % of the orders: the rest must be
  backordered, never oversold), so every allocation queues on the same rows;
- spread: 10,000 SKUs stocked at 4 of 20 locations each; every order wants 1–2 units of one random SKU.

Printed per case and client count: allocations/s, p50/p99 time per allocation, and the same number of plain
single-row ``INSERT``s (autocommit, the same number of connections) into PostgreSQL on this machine timed in
the same run, with the ratio, so the figures hold on any machine. At the end it proves zero oversell:
``ledger_mismatches()`` is empty and no level has ``allocated > on_hand``, and the hot SKU's allocated units
equal its stock exactly.

The orders are written with bulk inserts beforehand (not timed; no events fire, so they wait as ``new``); the
tasks an allocation enqueues after commit (stock figures to the channels, reorder checks) are left to workers
and not run. It creates and drops its own database.

Usage: .venv/bin/python bench/allocation.py [--orders 600] [--clients 1,8,32]
Needs PostgreSQL (DATABASE_URL's server, default 127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTRICTS = [
    "110105", "120101", "130102", "140105", "210102", "220102", "230102", "310115", "320106", "330106",
    "340102", "350102", "370102", "410102", "420111", "430102", "440305", "440106", "510104", "610102",
]  # fmt: skip
SPREAD_SKUS = 10_000
LOCATIONS_PER_SKU = 4
UNITS_PER_LEVEL = 50


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return url.rsplit("/", 1)[0]


def psql(dsn: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


def setup_django(dsn: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": dsn,
            "DJANGO_SETTINGS_MODULE": "oms.settings.dev",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()


def seed(rng: random.Random, runs: list[int], orders: int):
    """Merchant, 20 locations, 10,000 spread SKUs (+ one hot SKU per client count), levels with receipts."""
    from channels.services import channel_for_internal
    from inventory.models import MoveKind, StockLevel, StockMove
    from oms.catalog.models import Product
    from oms.core import divisions
    from oms.locations.services import location_create
    from oms.tenancy.services import merchant_create

    merchant = merchant_create(
        slug="bench",
        name="Bench",
        owner_email="b@bench.test",
        password="Corr3ct-Horse-Battery",  # noqa: S106
    )
    channel = channel_for_internal(merchant=merchant, kind="api")
    locations = []
    for index, code in enumerate(DISTRICTS):
        place = divisions.by_code(code)
        locations.append(
            location_create(
                merchant=merchant,
                code=f"W{index:02d}",
                name=f"{place.city} {place.district}",
                address={
                    "country": "CN",
                    "province": place.province,
                    "city": place.city,
                    "district": place.district,
                },
            )
        )
    products = Product.objects.bulk_create(
        [Product(merchant=merchant, sku=f"SKU-{i:05d}", title=f"SKU {i}") for i in range(SPREAD_SKUS)]
        + [Product(merchant=merchant, sku=f"HOT-{clients}", title="hot") for clients in runs],
        batch_size=2000,
    )
    spread, hot = products[:SPREAD_SKUS], dict(zip(runs, products[SPREAD_SKUS:], strict=True))
    stock = []  # (location, product, units)
    for product in spread:
        for location in rng.sample(locations, LOCATIONS_PER_SKU):
            stock.append((location, product, UNITS_PER_LEVEL))
    hot_units = {}
    for clients, product in hot.items():
        hot_units[clients] = int(orders * 0.8)
        stock.append((locations[7], product, hot_units[clients] // 2))  # Shanghai
        stock.append((locations[16], product, hot_units[clients] - hot_units[clients] // 2))  # Shenzhen
    StockLevel.objects.bulk_create(
        [
            StockLevel(merchant=merchant, location=loc, product=prod, on_hand=units)
            for loc, prod, units in stock
        ],
        batch_size=5000,
    )
    StockMove.objects.bulk_create(
        [
            StockMove(
                merchant=merchant,
                location=loc,
                product=prod,
                kind=MoveKind.RECEIPT,
                on_hand_delta=units,
                reason="bench seed",
                actor_label="bench",
            )
            for loc, prod, units in stock
        ],
        batch_size=5000,
    )
    return merchant, channel, spread, hot, hot_units


def make_orders(merchant, channel, rng: random.Random, picks, prefix: str) -> list:
    """Orders waiting as ``new`` (bulk inserts, no events): ``picks`` is a list of (product, quantity)."""
    from django.utils import timezone

    from oms.core import divisions
    from oms.orders.models import Order, OrderLine

    now = timezone.now()
    rows = []
    for index, _ in enumerate(picks):
        region = rng.choice(DISTRICTS)
        place = divisions.by_code(region)
        rows.append(
            Order(
                merchant=merchant,
                number=f"{prefix}{index:06d}",
                channel=channel,
                placed_at=now,
                currency="CNY",
                subtotal=Decimal("10.00"),
                total=Decimal("10.00"),
                shipping_address={
                    "country": "CN",
                    "province": place.province,
                    "city": place.city,
                    "district": place.district,
                    "region_code": region,
                },
                region_code=region,
            )
        )
    orders = Order.objects.bulk_create(rows, batch_size=2000)
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                merchant=merchant,
                order=order,
                position=1,
                sku=product.sku,
                product=product,
                quantity=quantity,
                unit_price=Decimal("10.00"),
                total=Decimal("10.00") * quantity,
            )
            for order, (product, quantity) in zip(orders, picks, strict=True)
        ],
        batch_size=2000,
    )
    return [order.pk for order in orders]


def allocate_all(merchant, order_ids: list, clients: int) -> tuple[float, list[float]]:
    from django.db import connection

    from inventory.services.allocation import order_allocate

    queue = iter(order_ids)
    lock = threading.Lock()
    latencies: list[float] = []
    ready = threading.Barrier(clients + 1)
    done = threading.Barrier(clients + 1)

    def client():
        connection.ensure_connection()
        ready.wait()
        mine = []
        try:
            while True:
                with lock:
                    order_id = next(queue, None)
                if order_id is None:
                    break
                started = time.perf_counter()
                order_allocate(merchant=merchant, order_id=order_id)
                mine.append(time.perf_counter() - started)
        finally:
            with lock:
                latencies.extend(mine)
            done.wait()
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    done.wait()
    elapsed = time.perf_counter() - started
    for thread in threads:
        thread.join()
    return elapsed, latencies


def baseline_inserts(dsn: str, total: int, clients: int) -> float:
    """Plain PostgreSQL: ``total`` single-row INSERTs, autocommit, ``clients`` connections."""
    import psycopg

    psql(
        dsn,
        "DROP TABLE IF EXISTS bench_plain; CREATE TABLE bench_plain (id bigserial primary key, sku text, qty int, at timestamptz default now())",
    )
    queue = iter(range(total))
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    done = threading.Barrier(clients + 1)

    def client():
        with psycopg.connect(dsn, autocommit=True) as conn:
            ready.wait()
            while True:
                with lock:
                    index = next(queue, None)
                if index is None:
                    break
                conn.execute("INSERT INTO bench_plain (sku, qty) VALUES (%s, %s)", [f"SKU-{index}", 1])
            done.wait()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    done.wait()
    elapsed = time.perf_counter() - started
    for thread in threads:
        thread.join()
    return total / elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=600, help="orders per case and client count")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    runs = [int(c) for c in args.clients.split(",")]
    rng = random.Random(args.seed)  # noqa: S311 - a reproducible workload, not security

    database = f"oms_bench_alloc_{os.getpid()}"
    admin_dsn = server_url() + "/postgres"
    dsn = server_url() + "/" + database
    psql(admin_dsn, f'CREATE DATABASE "{database}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "DJANGO_SETTINGS_MODULE": "oms.settings.dev",
            "DEBUG": "false",
        }
        env.pop("CELERY_BROKER_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        setup_django(dsn)
        from django.db import connection, connections

        from inventory.models import StockLevel
        from inventory.selectors import ledger_mismatches
        from oms.orders.models import Order, OrderStatus

        started = time.perf_counter()
        merchant, channel, spread, hot, hot_units = seed(rng, runs, args.orders)
        cases = {}
        for clients in runs:
            cases[("hot", clients)] = make_orders(
                merchant, channel, rng, [(hot[clients], 1)] * args.orders, f"H{clients:02d}-"
            )
            cases[("spread", clients)] = make_orders(
                merchant,
                channel,
                rng,
                [(rng.choice(spread), rng.choice((1, 1, 2))) for _ in range(args.orders)],
                f"S{clients:02d}-",
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seeded = time.perf_counter() - started
        print(
            f"allocation benchmark: {args.orders} orders per case, clients {runs}, {os.cpu_count()} cores; "
            f"seeded {len(DISTRICTS)} locations, {SPREAD_SKUS:,} SKUs × {LOCATIONS_PER_SKU} locations in {seeded:.1f} s"
        )
        print(
            "clients = threads in one process, each its own connection, calling order_allocate() directly "
            "(the after-commit tasks it enqueues are not run here: workers run them)"
        )
        print(
            f"{'case':8} {'clients':>7} {'alloc/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'INSERT/s':>10} {'ratio':>7}"
        )
        from collections import defaultdict

        from oms.orders import events

        events._subscribers = defaultdict(
            list
        )  # after-commit tasks (stock sync, reorder checks) go to workers
        for clients in runs:
            for case in ("hot", "spread"):
                order_ids = cases[(case, clients)]
                elapsed, latencies = allocate_all(merchant, order_ids, clients)
                rate = len(order_ids) / elapsed
                inserts = baseline_inserts(dsn, len(order_ids), clients)
                print(
                    f"{case:8} {clients:>7} {rate:>9.1f} {statistics.median(latencies) * 1000:>8.1f} "
                    f"{percentile(latencies, 0.99) * 1000:>8.1f} {inserts:>10.1f} {rate / inserts:>7.3f}"
                )
        connections.close_all()

        mismatches = ledger_mismatches()
        oversold = StockLevel.objects.filter(allocated__gt=models_f("on_hand")).count()
        negative = StockLevel.objects.filter(on_hand__lt=models_f("allocated") + models_f("safety")).count()
        still_new = Order.objects.filter(status=OrderStatus.NEW).count()
        print(
            f"ledger_mismatches(): {len(mismatches)}   levels with allocated > on_hand: {oversold}   "
            f"levels with available < 0: {negative}   orders still new: {still_new}"
        )
        for clients, product in hot.items():
            allocated = sum(StockLevel.objects.filter(product=product).values_list("allocated", flat=True))
            backordered = Order.objects.filter(
                pk__in=cases[("hot", clients)], status=OrderStatus.BACKORDERED
            ).count()
            print(
                f"hot SKU, {clients:>2} clients: {hot_units[clients]} units, {args.orders} orders → "
                f"{allocated} allocated, {backordered} backordered, oversold {max(0, allocated - hot_units[clients])}"
            )
            assert allocated == hot_units[clients] and backordered == args.orders - hot_units[clients]
        assert not mismatches and not oversold and not negative and not still_new
        print("zero oversell: OK")
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except ImportError:
            pass
        psql(admin_dsn, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def models_f(name: str):
    from django.db.models import F

    return F(name)


if __name__ == "__main__":
    main()
