"""The demo command gives a new user a living dashboard: a login, locations, stock, channels and orders."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from inventory.selectors import ledger_mismatches
from oms.orders.models import Order
from oms.tenancy.models import Merchant


@pytest.mark.django_db(transaction=True)
def test_demo_creates_a_merchant_that_can_log_in_with_allocated_orders(client):
    call_command("demo", orders=12)

    merchant = Merchant.objects.get(slug="demo")
    assert client.login(username="demo@example.com", password="Demo-Shop-2026")
    assert Order.objects.filter(merchant=merchant).count() == 12
    assert Order.objects.filter(merchant=merchant, status="allocated").exists()
    assert ledger_mismatches(merchant=merchant) == []
    assert client.get("/orders/").status_code == 200

    call_command("demo", orders=3)

    assert Order.objects.filter(merchant=merchant).count() == 15
