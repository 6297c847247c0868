"""Allocation rules through the services and the API: an order is allocated when it arrives, by the merchant's
policy, and every decision leaves its reason on the order."""

from __future__ import annotations

import pytest

from inventory.models import Allocation, StockMove
from inventory.selectors import ledger_mismatches
from inventory.services.allocation import order_allocate
from oms.orders.models import OrderStatus
from tests.inventory.conftest import (
    held,
    levels,
    make_bundle,
    make_location,
    make_product,
    place,
    receive,
    set_policy,
)


def open_issues(order) -> list[str]:
    return list(order.issues.filter(resolved_at__isnull=True).values_list("code", flat=True))


def arrive(run_events, merchant, lines, **fields):
    with run_events():
        order = place(merchant, lines, **fields)
    order.refresh_from_db()
    return order


@pytest.fixture
def skus(merchant):
    return {sku: make_product(merchant, sku) for sku in ("MUG", "TEE", "CAP")}


def test_an_order_is_allocated_on_arrival_from_the_only_location_with_all_lines(
    merchant, sites, skus, run_events
):
    receive(merchant, "GZ1", "MUG", 5)
    receive(merchant, "SH1", "MUG", 2)
    receive(merchant, "SH1", "TEE", 1)

    order = arrive(run_events, merchant, {"MUG": 2, "TEE": 1})

    assert order.status == OrderStatus.ALLOCATED
    assert held(order) == [("SH1", "MUG", 2), ("SH1", "TEE", 1)]
    assert levels(merchant) == {("GZ1", "MUG"): (5, 0), ("SH1", "MUG"): (2, 2), ("SH1", "TEE"): (1, 1)}
    event = order.events.get(kind="allocated")
    assert event.reason == "SH1: only location with all lines; 1,225 km"
    assert event.message == "Allocated: SH1 × 3"
    assert set(Allocation.objects.filter(order=order).values_list("reason", flat=True)) == {event.reason}
    assert open_issues(order) == []


def test_an_order_is_not_allocated_before_its_transaction_commits(merchant, sites, skus):
    receive(merchant, "SZ1", "MUG", 5)

    order = place(merchant, {"MUG": 1})  # the `db` fixture's transaction never commits: no event ran

    order.refresh_from_db()
    assert order.status == OrderStatus.NEW
    assert held(order) == []


def test_the_nearest_of_the_complete_locations_serves(merchant, sites, skus, run_events):
    for code in ("SH1", "GZ1", "BJ1"):
        receive(merchant, code, "MUG", 3)

    order = arrive(run_events, merchant, {"MUG": 1})

    assert held(order) == [("GZ1", "MUG", 1)]
    assert order.events.get(kind="allocated").reason == "GZ1: has all lines; nearest of 3; 88 km"


@pytest.mark.parametrize(
    ("region_code", "expected", "reason"),
    [
        ("440305", "GZ1", "GZ1: has all lines; nearest of 3; 88 km"),  # Shenzhen customer
        ("110105", "BJ1", "BJ1: has all lines; nearest of 3; 0 km"),  # Beijing customer
        ("330106", "SH1", "SH1: has all lines; nearest of 3; 172 km"),  # Hangzhou customer
    ],
)
def test_distance_is_measured_from_the_location_to_the_customers_district(
    merchant, sites, skus, run_events, region_code, expected, reason
):
    for code in ("SH1", "GZ1", "BJ1"):
        receive(merchant, code, "MUG", 3)

    order = arrive(run_events, merchant, {"MUG": 1}, region_code=region_code)

    assert held(order) == [(expected, "MUG", 1)]
    assert order.events.get(kind="allocated").reason == reason


def test_split_only_when_no_location_can_serve_the_order(merchant, sites, skus, run_events):
    receive(merchant, "GZ1", "MUG", 5)
    receive(merchant, "SH1", "TEE", 5)

    order = arrive(run_events, merchant, {"MUG": 2, "TEE": 1})

    assert order.status == OrderStatus.ALLOCATED
    assert held(order) == [("GZ1", "MUG", 2), ("SH1", "TEE", 1)]
    event = order.events.get(kind="allocated")
    assert (
        event.reason
        == "GZ1: split, serves 1 of the lines; 88 km; SH1: split, serves 1 of the lines; 1,225 km"
    )
    assert event.message == "Allocated: GZ1 × 2, SH1 × 1"


@pytest.mark.parametrize(
    ("mug_attributes", "order_type"),
    [({"fresh": True}, "normal"), ({}, "fresh")],
    ids=["fresh-product", "fresh-order"],
)
def test_cold_chain_goods_only_from_cold_chain_locations(
    merchant, sites, run_events, mug_attributes, order_type
):
    make_product(merchant, "FISH", **mug_attributes)
    receive(merchant, "SZ1", "FISH", 9)  # nearest, not cold-chain
    receive(merchant, "BJ1", "FISH", 9)  # cold chain, 1,948 km

    order = arrive(run_events, merchant, {"FISH": 1}, order_type=order_type)

    assert held(order) == [("BJ1", "FISH", 1)]
    assert order.events.get(kind="allocated").reason == "BJ1: only location with all lines; 1,948 km"


def test_cold_goods_with_no_cold_chain_stock_wait_however_much_else_there_is(merchant, sites, run_events):
    make_product(merchant, "FISH", fresh=True)
    receive(merchant, "SZ1", "FISH", 9)

    order = arrive(run_events, merchant, {"FISH": 1})

    assert order.status == OrderStatus.BACKORDERED
    assert open_issues(order) == ["insufficient_stock"]
    assert levels(merchant) == {("SZ1", "FISH"): (9, 0)}


@pytest.mark.parametrize(
    ("stocked", "status", "expected"),
    [
        (("SZ1", "GZ1"), OrderStatus.ALLOCATED, [("SZ1", "MUG", 1)]),
        (("GZ1", "SH1"), OrderStatus.BACKORDERED, []),  # Guangzhou is 88 km away but not Shenzhen
    ],
)
def test_same_city_delivery_only_from_locations_in_that_city(
    merchant, sites, skus, run_events, stocked, status, expected
):
    for code in stocked:
        receive(merchant, code, "MUG", 3)

    order = arrive(run_events, merchant, {"MUG": 1}, delivery_method="same_city")

    assert order.status == status
    assert held(order) == expected


@pytest.mark.parametrize(
    ("store_units", "status", "expected"),
    [
        (2, OrderStatus.ALLOCATED, [("FT1", "MUG", 2)]),
        (1, OrderStatus.PARTIALLY_ALLOCATED, [("FT1", "MUG", 1)]),
        (0, OrderStatus.BACKORDERED, []),
    ],
)
def test_pickup_orders_only_from_the_chosen_store(
    merchant, sites, skus, run_events, store_units, status, expected
):
    receive(merchant, "SZ1", "MUG", 9)
    if store_units:
        receive(merchant, "FT1", "MUG", store_units)

    order = arrive(
        run_events, merchant, {"MUG": 2}, region_code="", delivery_method="pickup", pickup_location_code="FT1"
    )

    assert order.status == status
    assert held(order) == expected
    assert levels(merchant)[("SZ1", "MUG")] == (9, 0)


@pytest.mark.parametrize(
    ("shortage", "status", "expected", "stock_after"),
    [
        ("ship_available", OrderStatus.PARTIALLY_ALLOCATED, [("GZ1", "MUG", 3), ("GZ1", "TEE", 1)], (3, 3)),
        ("wait_whole", OrderStatus.BACKORDERED, [], (3, 0)),
    ],
)
def test_short_stock_under_both_shortage_policies(
    merchant, sites, skus, run_events, shortage, status, expected, stock_after
):
    set_policy(merchant, shortage=shortage)
    receive(merchant, "GZ1", "MUG", 3)
    receive(merchant, "GZ1", "TEE", 1)

    order = arrive(run_events, merchant, {"MUG": 5, "TEE": 1})

    assert order.status == status
    assert held(order) == expected
    assert levels(merchant)[("GZ1", "MUG")] == stock_after
    assert open_issues(order) == ["insufficient_stock"]
    assert order.issues.get().message == (
        "2 unit(s) could not be allocated"
        if shortage == "ship_available"
        else "6 unit(s) could not be allocated"
    )


def test_policy_prefer_nearest_over_fewest_parcels(merchant, sites, skus, run_events):
    set_policy(merchant, preference="nearest")
    receive(merchant, "SH1", "MUG", 1)
    receive(merchant, "SH1", "TEE", 1)
    receive(merchant, "GZ1", "MUG", 1)

    order = arrive(run_events, merchant, {"MUG": 1, "TEE": 1})

    assert held(order) == [("GZ1", "MUG", 1), ("SH1", "TEE", 1)]
    assert order.events.get(kind="allocated").reason == (
        "GZ1: nearest with the line; 88 km; SH1: nearest with the line; 1,225 km"
    )


@pytest.mark.parametrize(
    ("shortage", "status", "expected"),
    [
        ("ship_available", OrderStatus.PARTIALLY_ALLOCATED, [("GZ1", "MUG", 2)]),
        ("wait_whole", OrderStatus.BACKORDERED, []),
    ],
)
def test_policy_never_split(merchant, sites, skus, run_events, shortage, status, expected):
    set_policy(merchant, allow_split=False, shortage=shortage)
    receive(merchant, "GZ1", "MUG", 2)
    receive(merchant, "SH1", "TEE", 1)

    order = arrive(run_events, merchant, {"MUG": 2, "TEE": 1})

    assert order.status == status
    assert held(order) == expected


def test_never_split_keeps_the_rest_of_a_partial_order_at_its_first_location(
    merchant, sites, skus, run_events
):
    set_policy(merchant, allow_split=False)
    receive(merchant, "GZ1", "MUG", 2)
    order = arrive(run_events, merchant, {"MUG": 3})
    assert held(order) == [("GZ1", "MUG", 2)]

    with run_events():
        receive(merchant, "SZ1", "MUG", 5)  # nearer, but a second parcel
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_ALLOCATED
    assert held(order) == [("GZ1", "MUG", 2)]

    with run_events():
        receive(merchant, "GZ1", "MUG", 1)
    order.refresh_from_db()
    assert order.status == OrderStatus.ALLOCATED
    assert held(order) == [("GZ1", "MUG", 1), ("GZ1", "MUG", 2)]


def test_policy_location_priority_comes_before_distance(merchant, sites, skus, run_events):
    set_policy(merchant, location_priority=["BJ1", "SH1"])
    for code in ("GZ1", "SH1", "BJ1"):
        receive(merchant, code, "MUG", 3)

    order = arrive(run_events, merchant, {"MUG": 1})

    assert held(order) == [("BJ1", "MUG", 1)]
    assert order.events.get(kind="allocated").reason == (
        "BJ1: has all lines; first in the priority list of 3; 1,948 km"
    )


def test_policy_channel_holdback_keeps_units_back_from_that_channel_only(merchant, sites, skus, run_events):
    from channels.services import channel_create, channel_for_internal

    marketplace = channel_create(merchant=merchant, kind="sandbox", name="Marketplace")
    set_policy(merchant, channel_holdback={str(marketplace.pk): 2})
    receive(merchant, "GZ1", "MUG", 3)

    from_marketplace = arrive(run_events, merchant, {"MUG": 2}, channel=marketplace)
    from_api = arrive(
        run_events, merchant, {"MUG": 2}, channel=channel_for_internal(merchant=merchant, kind="api")
    )

    assert held(from_marketplace) == [("GZ1", "MUG", 1)]  # 3 on hand, 2 kept back: 1 for the marketplace
    assert from_marketplace.status == OrderStatus.PARTIALLY_ALLOCATED
    assert held(from_api) == [("GZ1", "MUG", 2)]
    assert from_api.status == OrderStatus.ALLOCATED


def test_safety_stock_is_never_allocated(merchant, sites, skus, run_events):
    from inventory.services.stock import stock_adjust
    from tests.inventory.conftest import CLERK

    receive(merchant, "GZ1", "MUG", 3)
    stock_adjust(merchant=merchant, warehouse="GZ1", sku="MUG", safety=2, actor=CLERK)

    order = arrive(run_events, merchant, {"MUG": 2})

    assert held(order) == [("GZ1", "MUG", 1)]
    assert levels(merchant) == {("GZ1", "MUG"): (3, 1)}


def test_a_bundle_allocates_its_components(merchant, sites, skus, run_events):
    make_bundle(merchant, "GIFT-SET", {"MUG": 2, "TEE": 1})
    receive(merchant, "SZ1", "MUG", 3)  # not enough for two sets (4 mugs)
    receive(merchant, "GZ1", "MUG", 4)
    receive(merchant, "GZ1", "TEE", 2)

    order = arrive(run_events, merchant, {"GIFT-SET": 2})

    assert order.status == OrderStatus.ALLOCATED
    assert held(order) == [("GZ1", "MUG", 4), ("GZ1", "TEE", 2)]
    assert levels(merchant)[("SZ1", "MUG")] == (3, 0)
    assert not Allocation.objects.filter(product__sku="GIFT-SET").exists()


def test_a_bundle_line_and_a_line_of_its_component_share_the_components_stock(
    merchant, sites, skus, run_events
):
    make_bundle(merchant, "GIFT-SET", {"MUG": 2})
    receive(merchant, "SZ1", "MUG", 3)  # 2 for the set + 1 mug = 3: all of it at the nearest

    order = arrive(run_events, merchant, {"GIFT-SET": 1, "MUG": 1})

    assert order.status == OrderStatus.ALLOCATED
    assert held(order) == [("SZ1", "MUG", 1), ("SZ1", "MUG", 2)]
    assert levels(merchant) == {("SZ1", "MUG"): (3, 3)}


def test_two_lines_of_one_sku_never_overbook_a_location(merchant, sites, skus, run_events):
    receive(merchant, "SZ1", "MUG", 4)  # nearest: enough for either line, not both
    receive(merchant, "SH1", "MUG", 6)

    order = arrive(run_events, merchant, [("MUG", 3), ("MUG", 3)])

    assert order.status == OrderStatus.ALLOCATED
    assert held(order) == [("SH1", "MUG", 3), ("SH1", "MUG", 3)]
    assert levels(merchant) == {("SZ1", "MUG"): (4, 0), ("SH1", "MUG"): (6, 6)}


def test_an_inactive_location_serves_nothing(merchant, sites, skus, run_events):
    receive(merchant, "SZ1", "MUG", 4)
    sites["SZ1"].active = False
    sites["SZ1"].save()

    order = arrive(run_events, merchant, {"MUG": 1})

    assert order.status == OrderStatus.BACKORDERED
    assert levels(merchant) == {("SZ1", "MUG"): (4, 0)}


def test_an_unknown_sku_line_waits_without_an_insufficient_stock_issue(merchant, sites, skus, run_events):
    receive(merchant, "SZ1", "MUG", 4)

    order = arrive(run_events, merchant, {"MUG": 1, "NOPE": 1})

    assert order.status == OrderStatus.PARTIALLY_ALLOCATED
    assert held(order) == [("SZ1", "MUG", 1)]
    assert sorted(open_issues(order)) == ["unknown_sku"]


def test_allocating_again_is_a_no_op(merchant, sites, skus, run_events):
    receive(merchant, "SZ1", "MUG", 4)
    order = arrive(run_events, merchant, {"MUG": 1})
    moves = StockMove.objects.count()
    events = order.events.count()

    order_allocate(merchant=merchant, order_id=order.pk)

    assert StockMove.objects.count() == moves
    assert order.events.count() == events
    assert held(order) == [("SZ1", "MUG", 1)]


def test_another_merchants_order_is_not_allocated_from_here(merchant, rival, sites, skus, run_events):
    receive(merchant, "SZ1", "MUG", 4)
    make_location(rival, "SZ1")
    make_product(rival, "MUG")
    order = place(rival, {"MUG": 1})

    assert order_allocate(merchant=merchant, order_id=order.pk) is None
    order_allocate(merchant=rival, order_id=order.pk)

    order.refresh_from_db()
    assert order.status == OrderStatus.BACKORDERED
    assert levels(merchant) == {("SZ1", "MUG"): (4, 0)}


def test_order_detail_lists_allocations_as_in_the_contract(
    api, merchant, sites, skus, django_capture_on_commit_callbacks
):
    receive(merchant, "GZ1", "MUG", 5)
    receive(merchant, "SH1", "TEE", 5)
    body = {
        "shipping_address": {
            "name": "王芳",
            "phone": "13800138000",
            "country": "CN",
            "province": "广东省",
            "city": "深圳市",
            "district": "南山区",
            "detail": "科技园 1 号",
        },
        "lines": [
            {"sku": "MUG", "quantity": 2, "unit_price": "10.00"},
            {"sku": "TEE", "quantity": 1, "unit_price": "10.00"},
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/orders/", body, format="json").json()

    detail = api.get(f"/api/v1/orders/{created['id']}/").json()

    assert detail["status"] == "allocated"
    assert detail["allocations"] == [
        {"warehouse": "GZ1", "sku": "MUG", "quantity": 2},
        {"warehouse": "SH1", "sku": "TEE", "quantity": 1},
    ]
    assert detail["issues"] == []
    allocated = [e for e in detail["events"] if e["kind"] == "allocated"]
    assert allocated == [
        {
            "at": allocated[0]["at"],
            "kind": "allocated",
            "message": "Allocated: GZ1 × 2, SH1 × 1",
            "reason": "GZ1: split, serves 1 of the lines; 88 km; SH1: split, serves 1 of the lines; 1,225 km",
            "actor": "allocation",
        }
    ]
    assert ledger_mismatches(merchant=merchant) == []


def test_order_detail_of_a_short_order_shows_the_issue_and_no_allocations(
    api, merchant, sites, skus, run_events
):
    order = arrive(run_events, merchant, {"MUG": 1})

    detail = api.get(f"/api/v1/orders/{order.pk}/").json()

    assert detail["status"] == "backordered"
    assert detail["allocations"] == []
    assert detail["issues"] == [{"code": "insufficient_stock", "message": "1 unit(s) could not be allocated"}]
    assert [e["kind"] for e in detail["events"]] == ["created", "backordered"]
    assert detail["events"][1]["reason"] == "waiting for stock"


def test_an_allocation_announces_the_stock_change_and_a_shortage_does_not(
    merchant, sites, skus, monkeypatch, django_capture_on_commit_callbacks
):
    from collections import defaultdict

    from oms.orders import events

    receive(merchant, "SZ1", "MUG", 1)
    served, short = place(merchant, {"MUG": 1}), place(merchant, {"TEE": 1})
    heard = []

    class Listener:
        def delay(self, **payload):
            heard.append(payload)

    monkeypatch.setattr(events, "_subscribers", defaultdict(list, {events.STOCK_CHANGED: [Listener()]}))

    with django_capture_on_commit_callbacks(execute=True):
        order_allocate(merchant=merchant, order_id=served.pk)
        order_allocate(merchant=merchant, order_id=short.pk)

    assert heard == [
        {"event": "stock.changed", "merchant_id": str(merchant.pk), "product_ids": [str(skus["MUG"].pk)]}
    ]


@pytest.mark.django_db(transaction=True)
def test_manual_reallocation_from_the_api_moves_the_order_to_the_current_best_location(merchant, api):
    from oms.catalog.services import product_create
    from oms.locations.services import location_create

    product_create(merchant=merchant, sku="TEA", title="Tea")
    for code, district in (
        ("FAR", ("黑龙江省", "哈尔滨市", "南岗区")),
        ("NEAR", ("广东省", "深圳市", "南山区")),
    ):
        location_create(
            merchant=merchant,
            code=code,
            name=code,
            kind="warehouse",
            address={"province": district[0], "city": district[1], "district": district[2]},
        )
    api.post("/api/v1/stock/adjustments/", {"warehouse": "FAR", "sku": "TEA", "delta": 5}, format="json")
    body = {
        "lines": [{"sku": "TEA", "quantity": 2, "unit_price": "10.00"}],
        "shipping_address": {"province": "广东省", "city": "深圳市", "district": "福田区", "detail": "x"},
    }
    order_id = api.post("/api/v1/orders/", body, format="json").json()["id"]
    assert api.get(f"/api/v1/orders/{order_id}/").json()["allocations"] == [
        {"warehouse": "FAR", "sku": "TEA", "quantity": 2}
    ]
    api.post("/api/v1/stock/adjustments/", {"warehouse": "NEAR", "sku": "TEA", "delta": 5}, format="json")

    response = api.post(
        f"/api/v1/orders/{order_id}/reallocate/", {"reason": "nearer stock arrived"}, format="json"
    )

    assert response.status_code == 200
    detail = api.get(f"/api/v1/orders/{order_id}/").json()
    assert detail["status"] == "allocated"
    assert detail["allocations"] == [{"warehouse": "NEAR", "sku": "TEA", "quantity": 2}]
    assert "reallocation_requested" in [event["kind"] for event in detail["events"]]
    levels = {
        row["warehouse"]: row["allocated"] for row in api.get("/api/v1/stock/?sku=TEA").json()["results"]
    }
    assert levels == {"FAR": 0, "NEAR": 2}


def test_manual_reallocation_of_a_cancelled_order_is_409(merchant, api):
    order_id = api.post(
        "/api/v1/orders/", {"lines": [{"sku": "X", "quantity": 1, "unit_price": "1.00"}]}, format="json"
    ).json()["id"]
    api.post(f"/api/v1/orders/{order_id}/cancel/")

    response = api.post(f"/api/v1/orders/{order_id}/reallocate/")

    assert response.status_code == 409
