"""Reorder suggestions (exact arithmetic), low-stock alerts, purchase lists and transfer suggestions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from inventory import replenishment
from inventory.models import ReplenishmentAlert, StockLevel, StockMove
from inventory.services.allocation import order_allocate
from inventory.tasks import replenishment_check_task, replenishment_scan_task
from oms.catalog.models import Product
from oms.tenancy.models import Role
from tests.dashboard.conftest import make_member
from tests.inventory_pages.conftest import (
    adjust,
    level,
    make_bundle,
    make_location,
    make_product,
    make_supplier,
    moves,
    receive,
    sell,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(merchant):
    """TEA sold 56 units in the last 28 days (2/day), bought from Leaf Co in packs of 12, lead 10 days.

    Stock over active locations: on hand 20 + 6 = 26, safety 3 + 2 = 5, allocated 4 (one recent order).
    Not counted: a cancelled order, an order 40 days old, the 100 units at an inactive location.
    """
    now = timezone.now()
    for code in ("WH1", "WH2"):
        make_location(merchant, code)
    make_location(merchant, "OLD", active=False)
    tea = make_product(merchant, "TEA", title="Green tea", reorder_point=10)
    kit = make_bundle(merchant, "KIT", {tea: 2})
    cup = make_product(merchant, "CUP", title="Cup")
    receive(merchant, "WH1", "TEA", 20, safety=3)
    receive(merchant, "WH2", "TEA", 6, safety=2)
    receive(merchant, "OLD", "TEA", 100)
    receive(merchant, "WH1", "CUP", 500)
    recent = sell(merchant, "TEA", 4, placed_at=now - timedelta(days=1))
    order_allocate(merchant=merchant, order_id=recent.pk)
    sell(merchant, "TEA", 46, placed_at=now - timedelta(days=27, hours=23))
    sell(merchant, "KIT", 3, placed_at=now - timedelta(days=5))  # 6 units of TEA
    sell(merchant, "TEA", 100, placed_at=now - timedelta(days=2), cancelled=True)
    sell(merchant, "TEA", 70, placed_at=now - timedelta(days=40))
    sell(merchant, "CUP", 28, placed_at=now - timedelta(days=3))
    leaf = make_supplier(
        merchant,
        "Leaf Co",
        lead_time_days=10,
        email="sales@leaf.test",
        links={tea: {"supplier_sku": "LF-77", "pack_size": 12, "unit_cost": Decimal("3.50")}},
    )
    slow = make_supplier(merchant, "Slow Tea", lead_time_days=30, links={tea: {"pack_size": 1}})
    china = make_supplier(merchant, "China Cups", lead_time_days=5, links={cup: {"pack_size": 6}})
    assert (
        sum(
            StockLevel.objects.filter(merchant=merchant, location__active=True).values_list(
                "allocated", flat=True
            )
        )
        == 4
    )
    return {"now": now, "tea": tea, "kit": kit, "cup": cup, "leaf": leaf, "slow": slow, "china": china}


def suggestion(merchant, sku: str):
    return next(row for row in replenishment.purchase_suggestion_list(merchant=merchant) if row.sku == sku)


def test_suggestion_arithmetic(merchant, history):
    row = suggestion(merchant, "TEA")

    assert row.units_sold == 56
    assert row.velocity == Decimal(2)
    assert (row.lead_time_days, row.review_days) == (10, 7)
    assert (row.safety, row.on_hand, row.allocated, row.on_order) == (5, 26, 4, 0)
    assert row.position == 22
    assert row.need == Decimal(17)  # 2 × 17 + 5 − 22
    assert row.pack_size == 12
    assert row.suggested == 24  # 17 rounded up to whole packs of 12
    assert row.packs == 2
    assert row.cost == Decimal("84.00")
    assert (row.supplier_id, row.supplier_sku) == (history["leaf"].pk, "LF-77")


def test_nothing_to_order_when_stock_covers_the_need(merchant, history):
    row = suggestion(merchant, "CUP")  # 1/day × (5 + 7) + 0 − 500 < 0

    assert row.velocity == Decimal(1)
    assert row.suggested == 0


@pytest.mark.parametrize(
    ("units", "pack", "lead", "expected"),
    [
        (28, 1, 7, 14),  # 1/day × 14 − 0 → 14
        (29, 1, 7, 15),  # 29/28 × 14 = 14.5 → 15 (always up)
        (28, 5, 7, 15),  # 14 → three packs of 5
        (0, 5, 7, 0),
    ],
)
def test_suggestion_rounds_up_to_units_then_packs(merchant, units, pack, lead, expected):
    make_location(merchant, "WH1")
    product = make_product(merchant, "P")
    make_supplier(merchant, "S", lead_time_days=lead, links={product: {"pack_size": pack}})
    if units:
        sell(merchant, "P", units, placed_at=timezone.now() - timedelta(days=1))

    assert suggestion(merchant, "P").suggested == expected


def test_a_sku_without_supplier_uses_the_default_lead_time(merchant):
    make_product(merchant, "LONELY")
    sell(merchant, "LONELY", 28, placed_at=timezone.now() - timedelta(hours=1))

    row = suggestion(merchant, "LONELY")

    assert (row.supplier_id, row.lead_time_days, row.lead_time_is_default, row.suggested) == (
        None,
        7,
        True,
        14,
    )


def test_bundles_are_not_suggested_their_components_are(merchant, history):
    skus = [row.sku for row in replenishment.purchase_suggestion_list(merchant=merchant)]

    assert skus == ["TEA", "CUP"]


def test_purchasing_page_shows_the_figures(owner_client, merchant, history):
    response = owner_client.get(reverse("inventory:purchasing"))

    html = response.content.decode()
    rows = list(response.context["page_obj"].object_list)
    assert [row.sku for row in rows] == ["TEA"]  # only SKUs with something to order, by default
    assert "<strong>24</strong>" in html
    assert "2.00" in html
    assert reverse("inventory:supplier_purchase_csv", args=[history["leaf"].pk]) in html
    everything = owner_client.get(reverse("inventory:purchasing"), {"all": "1"})
    assert [row.sku for row in everything.context["page_obj"].object_list] == ["TEA", "CUP"]


def test_purchase_list_csv_of_a_supplier(owner_client, merchant, history):
    response = owner_client.get(reverse("inventory:supplier_purchase_csv", args=[history["leaf"].pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="purchase-leaf-co-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        {
            "supplier_sku": "LF-77",
            "sku": "TEA",
            "title": "Green tea",
            "quantity": "24",
            "pack_size": "12",
            "packs": "2",
            "unit_cost": "3.5000",
            "currency": "CNY",
            "line_cost": "84.00",
            "units_sold_28d": "56",
            "velocity_per_day": "2.00",
            "lead_time_days": "10",
            "safety": "5",
            "on_hand": "26",
            "allocated": "4",
            "on_order": "0",
        }
    ]


@pytest.mark.parametrize("supplier", ["slow", "china"])
def test_purchase_list_leaves_out_skus_bought_elsewhere_or_not_needed(owner_client, history, supplier):
    response = owner_client.get(reverse("inventory:supplier_purchase_csv", args=[history[supplier].pk]))

    assert response.content.decode("utf-8-sig").splitlines()[1:] == []


def test_csv_cells_that_look_like_formulas_stay_text(owner_client, merchant, history):
    Product.objects.filter(pk=history["tea"].pk).update(title='=HYPERLINK("http://evil")')

    response = owner_client.get(reverse("inventory:supplier_purchase_csv", args=[history["leaf"].pk]))

    row = next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["title"] == '\'=HYPERLINK("http://evil")'


# --- Alerts -------------------------------------------------------------------------------------------------


@pytest.fixture
def low_tea(merchant):
    make_location(merchant, "WH1")
    make_product(merchant, "TEA", reorder_point=10)
    receive(merchant, "WH1", "TEA", 5)
    make_member(merchant, Role.MANAGER, email="buyer@acme.test")
    make_member(merchant, Role.WAREHOUSE, email="picker@acme.test")
    make_member(merchant, Role.VIEWER, email="viewer@acme.test")
    return merchant


def open_alerts(merchant) -> list[tuple]:
    return list(
        ReplenishmentAlert.objects.filter(merchant=merchant, resolved_at__isnull=True).values_list(
            "product__sku", "location__code", "available", "reorder_point"
        )
    )


def test_alert_is_raised_once_and_mailed_to_owners_and_managers(low_tea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = replenishment.replenishment_alerts_scan(merchant=low_tea)
    with django_capture_on_commit_callbacks(execute=True):
        second = replenishment.replenishment_alerts_scan(merchant=low_tea)

    assert open_alerts(low_tea) == [("TEA", "WH1", 5, 10)]
    assert (len(first.raised), len(second.raised)) == (1, 0)
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["buyer@acme.test", "owner@acme.test"]
    assert mail.outbox[0].subject == "[Acme] Stock below reorder point: 1 SKU(s)"
    assert "TEA Product TEA @ WH1: available 5, reorder point 10" in mail.outbox[0].body


def test_alert_resolves_when_stock_returns_and_is_raised_again_later(low_tea):
    replenishment.replenishment_alerts_scan(merchant=low_tea)
    receive(low_tea, "WH1", "TEA", 5)  # 10 available: not below 10 any more
    resolved = replenishment.replenishment_alerts_scan(merchant=low_tea)

    assert resolved.resolved == 1
    assert open_alerts(low_tea) == []
    assert ReplenishmentAlert.objects.get(merchant=low_tea).resolved_at is not None

    adjust(low_tea, "WH1", "TEA", -2)
    replenishment.replenishment_alerts_scan(merchant=low_tea)

    assert open_alerts(low_tea) == [("TEA", "WH1", 8, 10)]
    assert ReplenishmentAlert.objects.filter(merchant=low_tea).count() == 2


def test_open_alert_follows_the_current_figures(low_tea):
    replenishment.replenishment_alerts_scan(merchant=low_tea)
    adjust(low_tea, "WH1", "TEA", -3)

    replenishment.replenishment_alerts_scan(merchant=low_tea)

    assert open_alerts(low_tea) == [("TEA", "WH1", 2, 10)]


def test_a_locations_own_reorder_point_wins_over_the_products(low_tea):
    StockLevel.objects.filter(merchant=low_tea).update(reorder_point=3)

    replenishment.replenishment_alerts_scan(merchant=low_tea)

    assert open_alerts(low_tea) == []


def test_a_sku_stocked_nowhere_raises_an_all_locations_alert(merchant):
    make_location(merchant, "WH1")
    make_product(merchant, "NEW", reorder_point=4)
    make_product(merchant, "NO-POINT")

    replenishment.replenishment_alerts_scan(merchant=merchant)

    assert open_alerts(merchant) == [("NEW", None, 0, 4)]


def test_the_periodic_task_scans_every_merchant(low_tea, rival):
    make_location(rival, "R1")
    make_product(rival, "RIVAL-TEA", reorder_point=2)

    replenishment_scan_task.apply()

    assert open_alerts(low_tea) == [("TEA", "WH1", 5, 10)]
    assert open_alerts(rival) == [("RIVAL-TEA", None, 0, 2)]


def test_the_stock_changed_task_checks_only_the_products_given(low_tea):
    make_product(low_tea, "OTHER", reorder_point=1)
    tea = Product.objects.get(merchant=low_tea, sku="TEA")

    replenishment_check_task.apply(kwargs={"merchant_id": str(low_tea.pk), "product_ids": [str(tea.pk)]})

    assert open_alerts(low_tea) == [("TEA", "WH1", 5, 10)]


def test_an_adjustment_on_the_page_raises_the_alert_at_once(owner_client, low_tea):
    owner_client.post(
        reverse("inventory:adjust"),
        {"location": "WH1", "sku": "TEA", "kind": "adjustment", "quantity": "-1", "reason": "broken"},
    )

    assert open_alerts(low_tea) == [("TEA", "WH1", 4, 10)]
    assert "TEA" in owner_client.get(reverse("inventory:purchasing")).content.decode()


def test_acknowledging_keeps_the_alert_open(owner_client, low_tea):
    replenishment.replenishment_alerts_scan(merchant=low_tea)
    alert = ReplenishmentAlert.objects.get(merchant=low_tea)

    owner_client.post(reverse("inventory:alert_acknowledge", args=[alert.pk]))

    alert.refresh_from_db()
    assert alert.acknowledged_by == "owner@acme.test"
    assert alert.resolved_at is None


# --- Transfer suggestions -----------------------------------------------------------------------------------


@pytest.fixture
def uneven(merchant):
    """TEA, reorder point 10 everywhere: WH1 has 30 (20 to spare), WH2 4 (needs 6), STORE 2 with its own
    reorder point 0 (2 to spare), BIG 25 (15 to spare)."""
    for code in ("WH1", "WH2", "STORE", "BIG"):
        make_location(merchant, code)
    make_product(merchant, "TEA", reorder_point=10)
    receive(merchant, "WH1", "TEA", 30)
    receive(merchant, "WH2", "TEA", 4)
    receive(merchant, "STORE", "TEA", 2)
    receive(merchant, "BIG", "TEA", 25)
    StockLevel.objects.filter(merchant=merchant, location__code="STORE").update(reorder_point=0)
    return merchant


def test_transfer_is_suggested_from_the_largest_surplus(uneven):
    found = replenishment.transfer_suggestion_list(merchant=uneven)

    assert [(s.sku, s.source, s.destination, s.quantity) for s in found] == [("TEA", "WH1", "WH2", 6)]
    assert (found[0].source_available, found[0].destination_available) == (30, 4)


def test_a_large_need_is_served_from_several_locations(merchant):
    for code in ("A", "B", "C"):
        make_location(merchant, code)
    make_product(merchant, "TEA", reorder_point=10)
    receive(merchant, "A", "TEA", 14)
    receive(merchant, "B", "TEA", 13)
    receive(merchant, "C", "TEA", 1)

    found = replenishment.transfer_suggestion_list(merchant=merchant)

    assert [(s.source, s.destination, s.quantity) for s in found] == [("A", "C", 4), ("B", "C", 3)]


def test_the_transfer_button_moves_the_stock(owner_client, uneven):
    response = owner_client.post(
        reverse("inventory:transfer_apply"),
        {"sku": "TEA", "source": "WH1", "destination": "WH2", "quantity": "6"},
    )

    assert response.status_code == 302
    assert moves(uneven, "TEA")[-2:] == [("WH1", "transfer_out", -6, 0, 0), ("WH2", "transfer_in", 6, 0, 0)]
    assert (level(uneven, "WH1", "TEA").on_hand, level(uneven, "WH2", "TEA").on_hand) == (24, 10)
    assert replenishment.transfer_suggestion_list(merchant=uneven) == []


def test_a_stale_button_moves_no_more_than_is_suggested_now(owner_client, uneven):
    receive(uneven, "WH2", "TEA", 4)  # WH2 needs 2 now

    owner_client.post(
        reverse("inventory:transfer_apply"),
        {"sku": "TEA", "source": "WH1", "destination": "WH2", "quantity": "6"},
    )

    assert level(uneven, "WH2", "TEA").on_hand == 10


def test_a_transfer_no_longer_suggested_is_refused(owner_client, uneven):
    receive(uneven, "WH2", "TEA", 6)
    before = StockMove.objects.count()

    response = owner_client.post(
        reverse("inventory:transfer_apply"),
        {"sku": "TEA", "source": "WH1", "destination": "WH2", "quantity": "6"},
        follow=True,
    )

    assert StockMove.objects.count() == before
    assert "no longer suggested" in response.content.decode()


def test_transfer_suggestions_page(owner_client, uneven):
    html = owner_client.get(reverse("inventory:transfers")).content.decode()

    assert "<code>WH1</code>" in html
    assert "<code>WH2</code>" in html
    assert reverse("inventory:transfer_apply") in html
