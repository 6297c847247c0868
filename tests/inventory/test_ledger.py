"""The ledger: every change of a level is a StockMove, levels always equal its sums, counts take units back,
cancelling and holding release, and freed or received units go to backorders first come, first served."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from inventory import tasks
from inventory.models import Allocation, StockLevel, StockMove
from inventory.selectors import ledger_mismatches
from inventory.services.allocation import allocations_of, order_release, order_stock_ship
from inventory.services.stock import InsufficientStock, stock_adjust, stock_transfer
from oms.orders.services import order_cancel, order_hold
from oms.orders.services import order_release as order_unhold
from tests.helpers import test_database_url
from tests.inventory.conftest import CLERK, held, levels, make_location, make_product, place, receive

ROOT = Path(__file__).resolve().parents[2]
T0 = timezone.now() - timedelta(days=1)


def moves(merchant) -> list[tuple]:
    return [
        (m.kind, m.location.code, m.on_hand_delta, m.allocated_delta, m.safety_delta)
        for m in StockMove.objects.for_merchant(merchant).select_related("location").order_by("created_at")
    ]


def arrive(run_events, merchant, lines, minutes: int = 0, **fields):
    with run_events():
        order = place(merchant, lines, placed_at=T0 + timedelta(minutes=minutes), **fields)
    order.refresh_from_db()
    return order


def statuses(*orders) -> list[str]:
    for order in orders:
        order.refresh_from_db()
    return [order.status for order in orders]


@pytest.fixture
def mug(merchant, sites):
    return make_product(merchant, "MUG")


def test_every_change_is_a_ledger_row_and_levels_are_its_sums(merchant, mug, run_events):
    receive(merchant, "SZ1", "MUG", 5)
    stock_adjust(
        merchant=merchant, warehouse="SZ1", sku="MUG", set_on_hand=4, actor=CLERK, reason="cycle count"
    )
    stock_adjust(merchant=merchant, warehouse="SZ1", sku="MUG", delta=-1, actor=CLERK, reason="broken")
    stock_adjust(merchant=merchant, warehouse="SZ1", sku="MUG", safety=1, actor=CLERK)
    kept = arrive(run_events, merchant, {"MUG": 1})
    dropped = arrive(run_events, merchant, {"MUG": 1})
    with run_events():
        order_cancel(merchant=merchant, order_id=dropped.pk, actor=CLERK)
    stock_transfer(merchant=merchant, source="SZ1", destination="GZ1", sku="MUG", quantity=1, actor=CLERK)
    shipped = order_stock_ship(merchant=merchant, order_id=kept.pk)

    assert shipped == 1
    assert moves(merchant) == [
        ("receipt", "SZ1", 5, 0, 0),
        ("count", "SZ1", -1, 0, 0),
        ("adjustment", "SZ1", -1, 0, 0),
        ("safety", "SZ1", 0, 0, 1),
        ("allocation", "SZ1", 0, 1, 0),
        ("allocation", "SZ1", 0, 1, 0),
        ("release", "SZ1", 0, -1, 0),
        ("transfer_out", "SZ1", -1, 0, 0),
        ("transfer_in", "GZ1", 1, 0, 0),
        ("shipment", "SZ1", -1, -1, 0),
    ]
    assert levels(merchant) == {("SZ1", "MUG"): (1, 0), ("GZ1", "MUG"): (1, 0)}
    assert StockLevel.objects.get(location__code="SZ1").safety == 1
    assert ledger_mismatches(merchant=merchant) == []
    assert StockMove.objects.filter(kind="count").get().reason == "cycle count"
    assert StockMove.objects.filter(kind="allocation").first().order_id in {kept.pk, dropped.pk}


def test_shipping_takes_the_units_off_hand_and_keeps_them_on_the_order(merchant, mug, run_events):
    receive(merchant, "SZ1", "MUG", 3)
    order = arrive(run_events, merchant, {"MUG": 2})

    assert order_stock_ship(merchant=merchant, order_id=order.pk) == 2
    assert order_stock_ship(merchant=merchant, order_id=order.pk) == 0  # nothing left to ship: a no-op

    assert levels(merchant) == {("SZ1", "MUG"): (1, 0)}
    assert held(order) == []
    assert list(Allocation.objects.filter(order=order).values_list("status", flat=True)) == ["shipped"]
    assert allocations_of(order) == [{"warehouse": "SZ1", "sku": "MUG", "quantity": 2}]
    assert [m[0] for m in moves(merchant)] == ["receipt", "allocation", "shipment"]
    assert ledger_mismatches(merchant=merchant) == []


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        ({"on_hand": F("on_hand") + 1}, ["on_hand vs ledger: 6 ≠ 5"]),
        ({"safety": 2}, ["safety vs ledger: 2 ≠ 0"]),
        (
            {"allocated": F("allocated") + 1},
            ["allocated vs ledger: 3 ≠ 2", "allocated vs allocations: 3 ≠ 2"],
        ),
    ],
)
def test_inventory_check_passes_and_fails_with_a_message_on_a_corrupt_level(
    merchant, mug, run_events, capsys, corrupt, expected
):
    receive(merchant, "SZ1", "MUG", 5)
    arrive(run_events, merchant, {"MUG": 2})
    call_command("inventory_check")
    assert capsys.readouterr().out == "all 1 stock levels reconcile with the ledger and allocations\n"

    StockLevel.objects.filter(location__code="SZ1").update(**corrupt)

    with pytest.raises(CommandError, match=rf"^{len(expected)} stock level\(s\) do not reconcile$"):
        call_command("inventory_check")
    level = StockLevel.objects.get()
    assert capsys.readouterr().err.splitlines() == [
        f"{level.location_id}/{level.product_id}: {line}" for line in expected
    ]
    assert [(m.what, m.level, m.expected) for m in ledger_mismatches(merchant=merchant)] == [
        (line.split(": ")[0], int(line.split(": ")[1].split(" ≠ ")[0]), int(line.split(" ≠ ")[1]))
        for line in expected
    ]


def test_a_level_row_lost_with_its_ledger_left_is_a_mismatch(merchant, mug, run_events):
    receive(merchant, "SZ1", "MUG", 5)
    receive(merchant, "GZ1", "MUG", 1)
    arrive(run_events, merchant, {"MUG": 2})
    lost = StockLevel.objects.get(location__code="SZ1")

    StockLevel.objects.filter(pk=lost.pk).delete()

    assert [(m.location_id, m.what, m.level, m.expected) for m in ledger_mismatches(merchant=merchant)] == [
        (lost.location_id, "on_hand vs ledger", 0, 5),
        (lost.location_id, "allocated vs ledger", 0, 2),
        (lost.location_id, "allocated vs allocations", 0, 2),
    ]


@pytest.mark.django_db(transaction=True)
def test_manage_py_inventory_check_exit_status(merchant, sites):
    make_product(merchant, "MUG")
    receive(merchant, "SZ1", "MUG", 5)
    env = {**os.environ, "DATABASE_URL": test_database_url(), "DJANGO_SETTINGS_MODULE": "oms.settings.test"}
    command = [sys.executable, "manage.py", "inventory_check"]

    clean = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    StockLevel.objects.update(on_hand=F("on_hand") - 1)
    corrupt = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert (clean.returncode, clean.stdout) == (
        0,
        "all 1 stock levels reconcile with the ledger and allocations\n",
    )
    assert corrupt.returncode == 1
    assert "on_hand vs ledger: 4 ≠ 5" in corrupt.stderr
    assert "1 stock level(s) do not reconcile" in corrupt.stderr


def test_a_count_below_what_is_allocated_takes_back_from_the_newest_lowest_priority(
    merchant, mug, run_events
):
    receive(merchant, "SZ1", "MUG", 6)
    urgent_old = arrive(run_events, merchant, {"MUG": 2}, minutes=0, priority="urgent")
    normal_old = arrive(run_events, merchant, {"MUG": 1}, minutes=1)
    low_old = arrive(run_events, merchant, {"MUG": 2}, minutes=2, priority="low")
    normal_new = arrive(run_events, merchant, {"MUG": 1}, minutes=3)

    with run_events():
        stock_adjust(merchant=merchant, warehouse="SZ1", sku="MUG", set_on_hand=3, actor=CLERK)

    assert statuses(urgent_old, normal_old, low_old, normal_new) == [
        "allocated",
        "allocated",
        "backordered",
        "backordered",
    ]
    assert levels(merchant) == {("SZ1", "MUG"): (3, 3)}
    assert [held(o) for o in (urgent_old, normal_old, low_old, normal_new)] == [
        [("SZ1", "MUG", 2)],
        [("SZ1", "MUG", 1)],
        [],
        [],
    ]
    assert list(low_old.events.values_list("kind", flat=True)) == [
        "created",
        "allocated",
        "stock_taken_back",
        "reallocating",
        "backordered",
    ]
    assert low_old.events.get(kind="stock_taken_back").message == (
        "2 × MUG at SZ1 taken back: the count found fewer"
    )
    assert list(low_old.issues.values_list("code", flat=True)) == ["insufficient_stock"]
    assert moves(merchant)[-3:] == [
        ("release", "SZ1", 0, -2, 0),
        ("release", "SZ1", 0, -1, 0),
        ("count", "SZ1", -3, 0, 0),
    ]
    assert ledger_mismatches(merchant=merchant) == []


def test_a_count_takes_back_only_what_it_must_and_the_order_goes_to_another_location(
    merchant, mug, run_events
):
    receive(merchant, "SZ1", "MUG", 3)
    receive(merchant, "SH1", "MUG", 1)
    first = arrive(run_events, merchant, {"MUG": 1}, minutes=0)
    second = arrive(run_events, merchant, {"MUG": 2}, minutes=1)

    with run_events():
        stock_adjust(merchant=merchant, warehouse="SZ1", sku="MUG", delta=-1, actor=CLERK, reason="broken")

    assert statuses(first, second) == ["allocated", "allocated"]
    assert held(first) == [("SZ1", "MUG", 1)]
    assert held(second) == [("SH1", "MUG", 1), ("SZ1", "MUG", 1)]  # one taken back, found again in Shanghai
    assert levels(merchant) == {("SZ1", "MUG"): (2, 2), ("SH1", "MUG"): (1, 1)}
    assert list(second.events.values_list("kind", flat=True)) == [
        "created",
        "allocated",
        "stock_taken_back",
        "partially_allocated",
        "allocated",
    ]
    assert ledger_mismatches(merchant=merchant) == []


def test_removing_more_than_is_on_hand_is_refused_and_takes_nothing_back(merchant, mug, run_events):
    receive(merchant, "SZ1", "MUG", 3)
    order = arrive(run_events, merchant, {"MUG": 2})
    before = moves(merchant)

    with pytest.raises(InsufficientStock, match="only 3 on hand; cannot remove 5"):
        stock_adjust(merchant=merchant, warehouse="SZ1", sku="MUG", delta=-5, actor=CLERK)

    assert moves(merchant) == before
    assert statuses(order) == ["allocated"]
    assert held(order) == [("SZ1", "MUG", 2)]


@pytest.mark.parametrize("stop", [order_cancel, order_hold], ids=["cancel", "hold"])
def test_cancelling_or_holding_releases_the_stock(merchant, mug, run_events, stop):
    receive(merchant, "SZ1", "MUG", 3)
    order = arrive(run_events, merchant, {"MUG": 2})

    with run_events():
        stop(merchant=merchant, order_id=order.pk, actor=CLERK)

    assert statuses(order) == ["cancelled" if stop is order_cancel else "on_hold"]
    assert held(order) == []
    assert levels(merchant) == {("SZ1", "MUG"): (3, 0)}
    assert moves(merchant)[-1] == ("release", "SZ1", 0, -2, 0)
    assert order.events.filter(kind="stock_released").count() == 1
    assert ledger_mismatches(merchant=merchant) == []


def test_an_order_released_from_hold_is_allocated_again(merchant, mug, run_events):
    receive(merchant, "SZ1", "MUG", 3)
    order = arrive(run_events, merchant, {"MUG": 2})
    with run_events():
        order_hold(merchant=merchant, order_id=order.pk, actor=CLERK)

    with run_events():
        order_unhold(merchant=merchant, order_id=order.pk, actor=CLERK)

    assert statuses(order) == ["allocated"]
    assert held(order) == [("SZ1", "MUG", 2)]
    assert levels(merchant) == {("SZ1", "MUG"): (3, 2)}


def test_a_late_release_task_leaves_an_order_allocated_again_after_its_hold_alone(merchant, mug, run_events):
    # With real workers the release task of a hold can run after the order was released from hold and
    # allocated again: it must not free the new allocation of an order that counts as allocated.
    receive(merchant, "SZ1", "MUG", 3)
    order = arrive(run_events, merchant, {"MUG": 2})

    tasks.order_release_task(merchant_id=str(merchant.pk), order_id=str(order.pk), event="order.held")

    assert statuses(order) == ["allocated"]
    assert held(order) == [("SZ1", "MUG", 2)]
    assert levels(merchant) == {("SZ1", "MUG"): (3, 2)}


def test_releasing_an_allocated_order_directly_sends_it_back_to_allocation(merchant, mug, run_events):
    receive(merchant, "SZ1", "MUG", 3)
    order = arrive(run_events, merchant, {"MUG": 2})

    with run_events():
        freed = order_release(merchant=merchant, order_id=order.pk, reason="re-plan")

    assert freed == [mug.pk]
    assert statuses(order) == ["allocated"]
    assert list(order.events.values_list("kind", flat=True)) == [
        "created",
        "allocated",
        "stock_released",
        "reallocating",
        "allocated",
    ]
    assert held(order) == [("SZ1", "MUG", 2)]
    assert ledger_mismatches(merchant=merchant) == []


def test_received_stock_goes_to_backorders_by_priority_then_oldest_first(merchant, mug, run_events):
    normal_old = arrive(run_events, merchant, {"MUG": 1}, minutes=0)
    low_old = arrive(run_events, merchant, {"MUG": 1}, minutes=1, priority="low")
    normal_new = arrive(run_events, merchant, {"MUG": 1}, minutes=2)
    urgent_new = arrive(run_events, merchant, {"MUG": 1}, minutes=3, priority="urgent")
    high_new = arrive(run_events, merchant, {"MUG": 1}, minutes=4, priority="high")
    everyone = (urgent_new, high_new, normal_old, normal_new, low_old)
    assert set(statuses(*everyone)) == {"backordered"}

    with run_events():
        receive(merchant, "SZ1", "MUG", 3)
    assert statuses(*everyone) == ["allocated", "allocated", "allocated", "backordered", "backordered"]

    with run_events():
        receive(merchant, "GZ1", "MUG", 1)
    assert statuses(*everyone) == ["allocated", "allocated", "allocated", "allocated", "backordered"]
    assert held(normal_new) == [("GZ1", "MUG", 1)]
    assert normal_new.issues.get().resolved_at is not None
    assert list(low_old.issues.filter(resolved_at__isnull=True).values_list("code", flat=True)) == [
        "insufficient_stock"
    ]


def test_units_freed_by_a_cancellation_go_to_the_oldest_backorder(merchant, mug, run_events):
    receive(merchant, "SZ1", "MUG", 2)
    allocated = arrive(run_events, merchant, {"MUG": 2}, minutes=0)
    older = arrive(run_events, merchant, {"MUG": 1}, minutes=1)
    newer = arrive(run_events, merchant, {"MUG": 1}, minutes=2)
    bigger = arrive(run_events, merchant, {"MUG": 3}, minutes=3)

    with run_events():
        order_cancel(merchant=merchant, order_id=allocated.pk, actor=CLERK)

    assert statuses(allocated, older, newer, bigger) == ["cancelled", "allocated", "allocated", "backordered"]
    assert levels(merchant) == {("SZ1", "MUG"): (2, 2)}


def test_a_short_older_order_is_served_before_newer_ones_under_ship_available(merchant, mug, run_events):
    older = arrive(run_events, merchant, {"MUG": 3}, minutes=0)
    newer = arrive(run_events, merchant, {"MUG": 1}, minutes=1)

    with run_events():
        receive(merchant, "SZ1", "MUG", 2)

    assert statuses(older, newer) == ["partially_allocated", "backordered"]
    assert held(older) == [("SZ1", "MUG", 2)]


def test_under_wait_whole_an_older_order_short_of_units_keeps_them_from_newer_orders(
    merchant, mug, run_events
):
    from tests.inventory.conftest import set_policy

    set_policy(merchant, shortage="wait_whole")
    older = arrive(run_events, merchant, {"MUG": 3}, minutes=0)
    newer = arrive(run_events, merchant, {"MUG": 1}, minutes=1)

    with run_events():
        receive(merchant, "SZ1", "MUG", 2)
    assert statuses(older, newer) == ["backordered", "backordered"]

    with run_events():
        receive(merchant, "SZ1", "MUG", 2)
    assert statuses(older, newer) == ["allocated", "allocated"]


def test_an_older_order_that_cannot_use_a_location_does_not_hold_back_newer_ones(merchant, mug, run_events):
    same_city = arrive(run_events, merchant, {"MUG": 1}, minutes=0, delivery_method="same_city")
    express = arrive(run_events, merchant, {"MUG": 1}, minutes=1)

    with run_events():
        receive(merchant, "SH1", "MUG", 1)  # Shanghai: not in the Shenzhen customer's city

    assert statuses(same_city, express) == ["backordered", "allocated"]


def test_a_transfer_passes_units_to_a_backorder_that_waits_for_that_location(merchant, mug, run_events):
    receive(merchant, "SH1", "MUG", 2)
    waiting = arrive(run_events, merchant, {"MUG": 1}, delivery_method="same_city")
    assert statuses(waiting) == ["backordered"]

    with run_events():
        stock_transfer(merchant=merchant, source="SH1", destination="SZ1", sku="MUG", quantity=1, actor=CLERK)

    assert statuses(waiting) == ["allocated"]
    assert held(waiting) == [("SZ1", "MUG", 1)]
    assert levels(merchant) == {("SH1", "MUG"): (1, 0), ("SZ1", "MUG"): (1, 1)}


def test_a_transfer_cannot_move_allocated_units(merchant, mug, run_events):
    receive(merchant, "SZ1", "MUG", 2)
    arrive(run_events, merchant, {"MUG": 2})
    before = moves(merchant)

    with pytest.raises(InsufficientStock):
        stock_transfer(merchant=merchant, source="SZ1", destination="GZ1", sku="MUG", quantity=1, actor=CLERK)

    assert moves(merchant) == before
    assert levels(merchant) == {("SZ1", "MUG"): (2, 2)}


def test_the_sweep_allocates_orders_whose_allocation_task_was_lost(merchant, mug):
    receive(merchant, "SZ1", "MUG", 2)
    lost = place(merchant, {"MUG": 1})  # no events ran: as if the task had been lost
    type(lost).objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    fresh = place(merchant, {"MUG": 1})

    tasks.backorders_sweep_task()

    assert statuses(lost, fresh) == ["allocated", "new"]


def test_another_merchants_count_never_touches_these_levels(merchant, rival, mug, run_events):
    receive(merchant, "SZ1", "MUG", 2)
    make_location(rival, "SZ1")
    make_product(rival, "MUG")

    stock_adjust(merchant=rival, warehouse="SZ1", sku="MUG", set_on_hand=7, actor=CLERK)

    assert levels(merchant) == {("SZ1", "MUG"): (2, 0)}
    assert levels(rival) == {("SZ1", "MUG"): (7, 0)}
    assert ledger_mismatches() == []
