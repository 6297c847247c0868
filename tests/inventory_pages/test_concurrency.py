"""Alerts and digests on the real PostgreSQL with threads (each its own connection) running at once: one open
alert and one email however many scans race; one digest however many workers claim it."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from inventory import replenishment, suppliers
from inventory.models import ReplenishmentAlert, Supplier
from tests.conftest import make_merchant
from tests.inventory_pages.conftest import make_location, make_product, make_supplier, receive

pytestmark = pytest.mark.django_db(transaction=True)


def run_threads(jobs) -> list[BaseException]:
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
        thread.join(timeout=60)
    return errors


def test_racing_scans_raise_one_alert_and_send_one_email():
    merchant = make_merchant("acme")
    make_location(merchant, "WH1")
    make_product(merchant, "TEA", reorder_point=10)
    receive(merchant, "WH1", "TEA", 3)  # the stock-changed check may raise the alert already
    ReplenishmentAlert.objects.filter(merchant=merchant).delete()
    mail.outbox.clear()

    errors = run_threads([lambda: replenishment.replenishment_alerts_scan(merchant=merchant)] * 8)

    assert errors == []
    assert ReplenishmentAlert.objects.filter(merchant=merchant, resolved_at__isnull=True).count() == 1
    assert [message.subject for message in mail.outbox] == ["[Acme] Stock below reorder point: 1 SKU(s)"]


def test_racing_digest_workers_send_one_email():
    merchant = make_merchant("acme")
    make_location(merchant, "WH1")
    tea = make_product(merchant, "TEA")
    leaf = make_supplier(merchant, "Leaf Co", email="sales@leaf.test", digest_enabled=True, links={tea: {}})
    mail.outbox.clear()

    errors = run_threads([lambda: suppliers.supplier_digest_send(supplier_id=leaf.pk)] * 8)

    assert errors == []
    assert [message.to for message in mail.outbox] == [["sales@leaf.test"]]
    assert Supplier.objects.get(pk=leaf.pk).digest_last_sent_at is not None
