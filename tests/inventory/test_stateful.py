"""Property-based: any sequence of receipts, counts, safety changes, orders, cancellations, holds, releases,
shipments and transfers keeps the stock invariants, whatever the merchant's allocation policy.

Runs against the real PostgreSQL (``transaction=True``: events fire after each service's commit, so orders
are allocated on arrival and released on cancel/hold as in production); each example gets its own merchant.
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from inventory.models import Allocation, AllocationStatus, MoveKind, StockLevel, StockMove
from inventory.selectors import ledger_mismatches
from inventory.services.allocation import order_stock_ship
from inventory.services.stock import InsufficientStock, stock_adjust, stock_transfer
from oms.catalog.models import BundleComponent
from oms.core.errors import InvalidTransition
from oms.orders.models import Order, OrderStatus
from oms.orders.services import order_cancel, order_hold, order_release
from oms.orders.transitions import CANCELLABLE, HOLDABLE
from tests.conftest import make_merchant
from tests.inventory.conftest import CLERK, make_bundle, make_location, make_product, place, set_policy

CODES = ("SZ1", "GZ1", "SH1")  # Shenzhen, Guangzhou (cold chain), Shanghai
SKUS = ("A", "B", "C")
_examples = itertools.count()

codes = st.sampled_from(CODES)
skus = st.sampled_from(SKUS)


class StockMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        self.merchant = make_merchant(f"prop-{next(_examples)}-{uuid.uuid4().hex[:8]}")
        for code in CODES:
            make_location(self.merchant, code)
        make_product(self.merchant, "A")
        make_product(self.merchant, "B")
        make_product(self.merchant, "C", fresh=True)
        make_bundle(self.merchant, "KIT", {"A": 1, "B": 2})

    @initialize(
        preference=st.sampled_from(["fewest_parcels", "nearest"]),
        allow_split=st.booleans(),
        shortage=st.sampled_from(["ship_available", "wait_whole"]),
        priority_list=st.permutations(CODES).map(lambda codes: list(codes[:1])) | st.just([]),
    )
    def policy(self, preference, allow_split, shortage, priority_list):
        set_policy(
            self.merchant,
            preference=preference,
            allow_split=allow_split,
            shortage=shortage,
            location_priority=priority_list,
        )

    # --- stock ------------------------------------------------------------------------------------------
    @rule(code=codes, sku=skus, units=st.integers(1, 6))
    def receive(self, code, sku, units):
        stock_adjust(
            merchant=self.merchant, warehouse=code, sku=sku, delta=units, kind="receipt", actor=CLERK
        )

    @rule(code=codes, sku=skus, units=st.integers(0, 6))
    def count(self, code, sku, units):
        level = stock_adjust(merchant=self.merchant, warehouse=code, sku=sku, set_on_hand=units, actor=CLERK)
        assert level.on_hand == units

    @rule(code=codes, sku=skus, units=st.integers(0, 2))
    def safety(self, code, sku, units):
        stock_adjust(merchant=self.merchant, warehouse=code, sku=sku, safety=units, actor=CLERK)

    @rule(source=codes, destination=codes, sku=skus, units=st.integers(1, 4))
    def transfer(self, source, destination, sku, units):
        if source == destination:
            return
        level = StockLevel.objects.filter(
            location__code=source, product__sku=sku, merchant=self.merchant
        ).first()
        free = level.on_hand - level.allocated - level.safety if level else 0
        before = self._ledger_size()
        if units <= free:
            stock_transfer(
                merchant=self.merchant,
                source=source,
                destination=destination,
                sku=sku,
                quantity=units,
                actor=CLERK,
            )
            assert self._ledger_size() == before + 2
        else:
            with pytest.raises(InsufficientStock):
                stock_transfer(
                    merchant=self.merchant,
                    source=source,
                    destination=destination,
                    sku=sku,
                    quantity=units,
                    actor=CLERK,
                )
            assert self._ledger_size() == before

    # --- orders -----------------------------------------------------------------------------------------
    @rule(
        target=orders,
        lines=st.lists(st.tuples(st.sampled_from([*SKUS, "KIT"]), st.integers(1, 4)), min_size=1, max_size=3),
        priority=st.sampled_from(["urgent", "normal", "low"]),
        region=st.sampled_from(["440305", "310115", "110105"]),
        method=st.sampled_from(["express", "express", "same_city"]),
    )
    def order(self, lines, priority, region, method):
        return place(self.merchant, lines, region_code=region, priority=priority, delivery_method=method).pk

    @rule(order_id=orders)
    def cancel(self, order_id):
        self._change(order_cancel, order_id, CANCELLABLE)

    @rule(order_id=orders)
    def hold(self, order_id):
        self._change(order_hold, order_id, HOLDABLE)

    @rule(order_id=orders)
    def release(self, order_id):
        self._change(order_release, order_id, {OrderStatus.ON_HOLD})

    @rule(order_id=orders)
    def ship(self, order_id):
        active = sum(
            Allocation.objects.filter(order_id=order_id, status=AllocationStatus.ACTIVE).values_list(
                "quantity", flat=True
            )
        )
        assert order_stock_ship(merchant=self.merchant, order_id=order_id) == active

    def _change(self, service, order_id, allowed):
        status = Order.objects.get(pk=order_id).status
        if status in allowed:
            service(merchant=self.merchant, order_id=order_id, actor=CLERK)
        else:
            with pytest.raises(InvalidTransition):
                service(merchant=self.merchant, order_id=order_id, actor=CLERK)
            assert Order.objects.get(pk=order_id).status == status

    def _ledger_size(self) -> int:
        """Transfer rows only: units arriving somewhere may also be allocated to backorders at once."""
        return StockMove.objects.for_merchant(self.merchant).filter(kind__startswith="transfer_").count()

    # --- invariants -------------------------------------------------------------------------------------
    @invariant()
    def levels_within_bounds_and_reconciled(self):
        for on_hand, allocated, safety in StockLevel.objects.for_merchant(self.merchant).values_list(
            "on_hand", "allocated", "safety"
        ):
            assert 0 <= allocated <= on_hand
            assert safety >= 0
        assert ledger_mismatches(merchant=self.merchant) == []

    @invariant()
    def active_allocations_sum_to_allocated(self):
        held = defaultdict(int)
        for location_id, product_id, quantity in (
            Allocation.objects.for_merchant(self.merchant)
            .filter(status=AllocationStatus.ACTIVE)
            .values_list("location_id", "product_id", "quantity")
        ):
            held[(location_id, product_id)] += quantity
        allocated = {
            (level.location_id, level.product_id): level.allocated
            for level in StockLevel.objects.for_merchant(self.merchant)
            if level.allocated
        }
        assert dict(held) == allocated

    @invariant()
    def no_allocation_takes_available_below_zero(self):
        running = defaultdict(lambda: [0, 0, 0])
        for move in StockMove.objects.for_merchant(self.merchant).order_by("created_at"):
            level = running[(move.location_id, move.product_id)]
            level[0] += move.on_hand_delta
            level[1] += move.allocated_delta
            level[2] += move.safety_delta
            if move.kind == MoveKind.ALLOCATION:
                assert move.allocated_delta > 0
                assert level[0] - level[1] - level[2] >= 0, move

    @invariant()
    def orders_hold_no_more_than_they_ordered_and_statuses_agree(self):
        parts = defaultdict(list)
        for bundle_id, component_id, quantity in BundleComponent.objects.for_merchant(
            self.merchant
        ).values_list("bundle_id", "component_id", "quantity"):
            parts[bundle_id].append((component_id, quantity))
        for order in Order.objects.for_merchant(self.merchant).prefetch_related(
            "lines", "allocations", "issues"
        ):
            ordered = {}
            for line in order.lines.all():
                for product_id, per_unit in parts.get(line.product_id) or [(line.product_id, 1)]:
                    ordered[(line.pk, product_id)] = line.quantity * per_unit
            kept = defaultdict(int)
            active = 0
            for allocation in order.allocations.all():
                if allocation.status != AllocationStatus.RELEASED:
                    kept[(allocation.line_id, allocation.product_id)] += allocation.quantity
                if allocation.status == AllocationStatus.ACTIVE:
                    active += allocation.quantity
            assert all(kept[key] <= ordered.get(key, 0) for key in kept), order.number
            complete = all(kept[key] == units for key, units in ordered.items())
            short_issue = any(
                i.code == "insufficient_stock" and i.resolved_at is None for i in order.issues.all()
            )
            assert order.status != OrderStatus.NEW, "allocated on arrival"
            if order.status == OrderStatus.ALLOCATED:
                assert complete and not short_issue, order.number
            elif order.status == OrderStatus.PARTIALLY_ALLOCATED:
                assert sum(kept.values()) and not complete and short_issue, order.number
            elif order.status == OrderStatus.BACKORDERED:
                assert not sum(kept.values()) and short_issue, order.number
            else:
                assert order.status in (OrderStatus.CANCELLED, OrderStatus.ON_HOLD)
                assert active == 0, order.number


@pytest.mark.django_db(transaction=True)
def test_stock_invariants_hold_under_any_sequence_of_operations():
    run_state_machine_as_test(
        StockMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
