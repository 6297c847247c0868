#!/usr/bin/env python3
"""Webhook intake benchmark: the real stack (gunicorn + Celery worker on Redis + PostgreSQL).

Phase 1 fires N signed Shopify ``orders/create`` webhooks (the shared sample, each with its own order id
and webhook id) at the webhook URL from C concurrent keep-alive clients while no worker runs, and measures
the receive path: accepted requests/s and p50/p99 time to answer (verify, store raw, enqueue).
Phase 2 starts a Celery worker and measures how fast the queue drains: orders/s fully normalized, filed
(lines, issues, events) and allocated. It also shows that nothing is lost while no worker runs.
Last, the same number of plain single-row ``INSERT``s (a JSONB + bytea row, autocommit each, C
connections) into PostgreSQL on this machine, and the ratios, so the figures hold on any machine.

Usage: .venv/bin/python bench/intake.py [--requests 2000] [--concurrency 16] [--web-workers 3]
Needs PostgreSQL (DATABASE_URL's server, default 127.0.0.1:5432) and Redis (REDIS_URL, default local).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = json.loads(
    (ROOT / "tests/fixtures/channels/shopify/shopify_orders_create_basic.json").read_text()
    if (ROOT / "tests/fixtures/channels/shopify/shopify_orders_create_basic.json").exists()
    else (ROOT.parent / "shared/samples/shopify_orders_create_basic.json").read_text()
)
SECRET = "bench-secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return url.rsplit("/", 1)[0]


def psql(dsn: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


def setup(env: dict, products: list[str]) -> tuple[str, str]:
    script = (
        "import django; django.setup()\n"
        "from oms.tenancy.services import merchant_create\n"
        "from channels.services import channel_create\n"
        "from oms.catalog.services import product_create\n"
        "m = merchant_create(slug='bench', name='Bench', owner_email='b@bench.test', password='Corr3ct-Horse-Battery')\n"
        f"c = channel_create(merchant=m, kind='shopify', name='Bench shop', webhook_secret={SECRET!r},"
        " config={'shop_domain': 'bench.myshopify.com'})\n"
        f"for sku in {products!r}: product_create(merchant=m, sku=sku, title=sku)\n"
        "print(c.pk, c.webhook_path)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    channel_id, path = out.stdout.strip().splitlines()[-1].split()
    return channel_id, path


def payload(index: int) -> tuple[bytes, dict]:
    order = dict(SAMPLE)
    order["id"] = 7_000_000_000_000 + index
    order["name"] = f"#B{index}"
    order["order_number"] = 100000 + index
    body = json.dumps(order, ensure_ascii=False, separators=(",", ":")).encode()
    digest = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": digest,
        "X-Shopify-Shop-Domain": "bench.myshopify.com",
        "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
    }
    return body, headers


def fire(
    base: str, path: str, total: int, concurrency: int, first: int = 0
) -> tuple[list[float], list[int], float]:
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    counter = iter(range(total))
    prepared = [payload(first + i) for i in range(total)]
    host = urlsplit(base)

    def worker():
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            body, headers = prepared[index]
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(response.status)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def baseline_inserts(dsn: str, total: int, body: bytes, concurrency: int) -> float:
    """Plain PostgreSQL: ``total`` single-row INSERTs of the same body, autocommit, ``concurrency`` connections."""
    import psycopg

    psql(
        dsn,
        "DROP TABLE IF EXISTS bench_plain; CREATE TABLE bench_plain (id bigserial primary key, headers jsonb, body bytea, at timestamptz default now())",
    )
    counter = iter(range(total))
    lock = threading.Lock()

    def worker():
        with psycopg.connect(dsn, autocommit=True) as conn:
            while True:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                conn.execute(
                    "INSERT INTO bench_plain (headers, body) VALUES (%s, %s)",
                    [json.dumps({"x-id": str(index)}), body],
                )

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - started)


def count_orders(dsn: str) -> int:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM orders_order").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()

    database = f"oms_bench_{os.getpid()}"
    admin_dsn = server_url() + "/postgres"
    dsn = server_url() + "/" + database
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/13"
    psql(admin_dsn, f'CREATE DATABASE "{database}"')
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "CELERY_BROKER_URL": redis,
        "REDIS_URL": redis,
        "DJANGO_SETTINGS_MODULE": "oms.settings.dev",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE": "100000000/min",
    }
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        skus = sorted({line["sku"] for line in SAMPLE["line_items"] if line.get("sku")})
        _, path = setup(env, skus)
        port = free_port()
        bin_dir = Path(sys.executable).parent
        processes.append(
            subprocess.Popen(
                [
                    str(bin_dir / "gunicorn"),
                    "oms.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    str(args.web_workers),
                    "--threads",
                    "4",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        fire(base, path, 20, 4, first=10_000_000)  # warm up connections and imports (filed later too)

        # Phase 1: the receive path alone (verify, store raw, enqueue) with no worker competing for the CPU.
        latencies, statuses, elapsed = fire(base, path, args.requests, args.concurrency)
        accepted = sum(1 for status in statuses if status in (200, 202))
        waiting = count_orders(dsn)

        # Phase 2: a worker comes up and drains the queue: orders normalized, filed and allocated.
        started = time.perf_counter()
        worker_cmd = [sys.executable, "-m", "celery", "-A", "oms", "worker", "-l", "ERROR", "--concurrency"]
        worker_cmd += [str(args.worker_concurrency), "--without-gossip", "--without-mingle"]
        worker_cmd += ["-n", f"bench{os.getpid()}@%h"]
        processes.append(
            subprocess.Popen(
                worker_cmd,
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        target = accepted + 20
        deadline = time.time() + 900
        while count_orders(dsn) < target and time.time() < deadline:
            time.sleep(0.2)
        filed = count_orders(dsn)
        filed_elapsed = time.perf_counter() - started
        time.sleep(2)  # let the allocation tasks that follow the last orders finish before stopping

        body, _ = payload(0)
        inserts_per_s = baseline_inserts(dsn, args.requests, body, args.concurrency)
        latencies.sort()
        accepted_per_s = accepted / elapsed
        orders_per_s = filed / filed_elapsed
        p50, p99 = statistics.median(latencies) * 1000, latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(
            f"webhook intake benchmark: {args.requests} Shopify orders/create webhooks, {args.concurrency} clients, "
            f"gunicorn {args.web_workers}x4 threads, then 1 Celery worker x{args.worker_concurrency}, "
            f"{os.cpu_count()} cores"
        )
        print(
            f"  accepted:            {accepted}/{args.requests} {sorted(set(statuses))}; filed meanwhile: {waiting}"
        )
        print(f"  accepted req/s:      {accepted_per_s:8.1f}")
        print(f"  answer p50 / p99:    {p50:8.1f} ms / {p99:.1f} ms")
        print(f"  orders filed:        {filed} in {filed_elapsed:.1f} s = {orders_per_s:8.1f} orders/s")
        print(
            f"  plain INSERT/s:      {inserts_per_s:8.1f} ({args.requests} rows, same body, {args.concurrency} conns)"
        )
        print(f"  ratio accepted/INSERT: {accepted_per_s / inserts_per_s:.3f}")
        print(f"  ratio filed/INSERT:    {orders_per_s / inserts_per_s:.3f}")
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        psql(admin_dsn, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
