"""Stock grid, adjustment and transfer forms, the ledger, the allocation policy, locations and products."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import AllocationPolicy, StockLevel, StockMove
from inventory.services.allocation import order_allocate
from oms.catalog.models import BundleComponent, Product
from oms.locations.models import Location
from tests.inventory_pages.conftest import level, make_location, make_product, moves, receive, sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(merchant):
    make_location(merchant, "WH1")
    make_location(merchant, "WH2")
    make_product(merchant, "TEA", reorder_point=5)
    receive(merchant, "WH1", "TEA", 20)
    return merchant


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Adjustments and transfers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected_move", "on_hand", "safety"),
    [
        ({"kind": "receipt", "quantity": "7"}, ("WH1", "receipt", 7, 0, 0), 27, 0),
        ({"kind": "count", "quantity": "12"}, ("WH1", "count", -8, 0, 0), 12, 0),
        (
            {"kind": "adjustment", "quantity": "-3", "reason": "broken"},
            ("WH1", "adjustment", -3, 0, 0),
            17,
            0,
        ),
        ({"kind": "receipt", "quantity": "", "safety": "4"}, ("WH1", "safety", 0, 0, 4), 20, 4),
    ],
    ids=["receipt", "count", "adjustment", "safety"],
)
def test_adjustment_form_writes_a_ledger_row_of_its_kind(
    owner_client, stocked, data, expected_move, on_hand, safety
):
    response = owner_client.post(reverse("inventory:adjust"), {"location": "WH1", "sku": "TEA", **data})

    assert response.status_code == 302
    assert moves(stocked, "TEA")[-1] == expected_move
    assert (level(stocked, "WH1", "TEA").on_hand, level(stocked, "WH1", "TEA").safety) == (on_hand, safety)
    last = StockMove.objects.filter(merchant=stocked).order_by("-created_at").first()
    assert last.actor_label == "owner@acme.test"


def test_adjustment_sets_a_locations_own_reorder_point_without_a_ledger_row(owner_client, stocked):
    before = StockMove.objects.count()

    owner_client.post(
        reverse("inventory:adjust"),
        {"location": "WH1", "sku": "TEA", "kind": "receipt", "reorder_point": "9"},
    )

    assert level(stocked, "WH1", "TEA").reorder_point == 9
    assert StockMove.objects.count() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "adjustment", "quantity": "-3", "reason": ""}, "reason"),
        ({"kind": "receipt", "quantity": "0"}, "quantity"),
        ({"kind": "count", "quantity": "-1"}, "quantity"),
        ({"kind": "receipt", "quantity": ""}, "quantity"),
    ],
)
def test_adjustment_form_refuses_bad_input_and_writes_nothing(owner_client, stocked, data, field):
    before = StockMove.objects.count()

    response = owner_client.post(reverse("inventory:adjust"), {"location": "WH1", "sku": "TEA", **data})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert StockMove.objects.count() == before


def test_removing_more_than_on_hand_shows_the_domain_error_as_a_message(owner_client, stocked):
    before = StockMove.objects.count()

    response = owner_client.post(
        reverse("inventory:adjust"),
        {"location": "WH1", "sku": "TEA", "kind": "adjustment", "quantity": "-50", "reason": "lost"},
    )

    assert response.status_code == 200
    assert any("only 20 on hand" in message for message in messages_of(response))
    assert StockMove.objects.count() == before


def test_unknown_sku_is_a_message_not_a_crash(owner_client, stocked):
    response = owner_client.post(
        reverse("inventory:adjust"), {"location": "WH1", "sku": "NOPE", "kind": "receipt", "quantity": "1"}
    )

    assert response.status_code == 200
    assert messages_of(response) == ["Unknown SKU NOPE."]


def test_transfer_form_writes_out_and_in_rows(owner_client, stocked):
    response = owner_client.post(
        reverse("inventory:transfer"),
        {"source": "WH1", "destination": "WH2", "sku": "TEA", "quantity": "6", "reason": "rebalance"},
    )

    assert response.status_code == 302
    assert moves(stocked, "TEA")[-2:] == [("WH1", "transfer_out", -6, 0, 0), ("WH2", "transfer_in", 6, 0, 0)]
    assert (level(stocked, "WH1", "TEA").on_hand, level(stocked, "WH2", "TEA").on_hand) == (14, 6)


def test_transfer_of_more_than_is_free_is_refused_with_insufficient_stock(owner_client, stocked):
    before = StockMove.objects.count()

    response = owner_client.post(
        reverse("inventory:transfer"), {"source": "WH1", "destination": "WH2", "sku": "TEA", "quantity": "21"}
    )

    assert response.status_code == 200
    assert any("not enough stock" in message for message in messages_of(response))
    assert StockMove.objects.count() == before


def test_transfer_to_the_same_location_is_a_form_error(owner_client, stocked):
    response = owner_client.post(
        reverse("inventory:transfer"), {"source": "WH1", "destination": "WH1", "sku": "TEA", "quantity": "1"}
    )

    assert "destination" in response.context["form"].errors


# --- Stock grid ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_hand", "safety", "level_reorder_point", "is_low"),
    [
        (20, 0, None, False),  # 20 available, product's reorder point 5
        (5, 0, None, True),  # at the reorder point
        (4, 0, None, True),  # below it
        (9, 0, 10, True),  # the location's own reorder point
        (6, 3, 0, True),  # 3 available, at the safety stock of 3
        (30, 10, 0, False),  # 20 available, safety 10, no reorder point here
    ],
)
def test_low_stock_is_highlighted(owner_client, merchant, on_hand, safety, level_reorder_point, is_low):
    make_location(merchant, "WH1")
    make_product(merchant, "TEA", reorder_point=5)
    receive(merchant, "WH1", "TEA", on_hand, safety=safety)
    StockLevel.objects.filter(merchant=merchant).update(reorder_point=level_reorder_point)

    response = owner_client.get(reverse("inventory:stock"))

    cell = response.context["rows"][0]["cells"][0]
    assert cell["low"] is is_low
    assert response.context["rows"][0]["low"] is is_low
    assert ("is-low" in response.content.decode()) is is_low


def test_low_filter_keeps_only_skus_with_a_low_cell(owner_client, merchant):
    make_location(merchant, "WH1")
    make_product(merchant, "LOW", reorder_point=5)
    make_product(merchant, "FINE", reorder_point=5)
    receive(merchant, "WH1", "LOW", 3)
    receive(merchant, "WH1", "FINE", 30)

    response = owner_client.get(reverse("inventory:stock"), {"low": "on"})

    assert [row["product"].sku for row in response.context["rows"]] == ["LOW"]


@pytest.mark.parametrize(
    ("search", "shown"), [("tea", ["TEA-1"]), ("690123", ["CUP-1"]), ("", ["CUP-1", "TEA-1"])]
)
def test_grid_search_by_sku_title_or_barcode(owner_client, merchant, search, shown):
    make_location(merchant, "WH1")
    make_product(merchant, "TEA-1", title="Green tea")
    make_product(merchant, "CUP-1", title="Cup", barcode="690123")

    response = owner_client.get(reverse("inventory:stock"), {"search": search})

    assert [row["product"].sku for row in response.context["rows"]] == shown


def test_grid_cells_show_figures_per_location(owner_client, stocked):
    receive(stocked, "WH2", "TEA", 3, safety=1)

    response = owner_client.get(reverse("inventory:stock"))

    cells = {cell["location"].code: cell for cell in response.context["rows"][0]["cells"]}
    assert (cells["WH1"]["available"], cells["WH2"]["available"]) == (20, 2)
    assert cells["WH2"]["low"] is True
    assert [location.code for location in response.context["locations"]] == ["WH1", "WH2"]


def test_grid_runs_the_same_queries_for_3_or_30_skus(owner_client, merchant):
    for code in ("WH1", "WH2", "WH3"):
        make_location(merchant, code)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(reverse("inventory:stock")).status_code == 200
        return len(queries)

    for index in range(3):
        make_product(merchant, f"SKU-{index:02}")
        receive(merchant, "WH1", f"SKU-{index:02}", 1)
    few = count_queries()
    for index in range(3, 30):
        make_product(merchant, f"SKU-{index:02}")
        receive(merchant, "WH2", f"SKU-{index:02}", 1)
    many = count_queries()

    assert few == many
    assert many <= 10


def test_grid_is_paginated(owner_client, merchant):
    make_location(merchant, "WH1")
    for index in range(55):
        make_product(merchant, f"SKU-{index:02}")

    first = owner_client.get(reverse("inventory:stock"))
    second = owner_client.get(reverse("inventory:stock"), {"page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 5


# --- Ledger -------------------------------------------------------------------------------------------------


def test_ledger_lists_moves_in_the_merchants_time_zone_with_order_link(owner_client, stocked):
    stocked.timezone = "Asia/Shanghai"
    stocked.save()
    order = sell(stocked, "TEA", 2, placed_at=datetime(2024, 5, 1, tzinfo=UTC))
    order_allocate(merchant=stocked, order_id=order.pk)
    StockMove.objects.filter(merchant=stocked, kind="receipt").update(
        created_at=datetime(2024, 5, 1, 16, 30, tzinfo=UTC), reason="first delivery"
    )
    product = Product.objects.get(merchant=stocked, sku="TEA")

    response = owner_client.get(reverse("inventory:product_ledger", args=[product.pk]))

    html = response.content.decode()
    kinds = [move.kind for move in response.context["page_obj"].object_list]
    assert kinds == ["allocation", "receipt"]
    assert "2024-05-02 00:30:00" in html
    assert "first delivery" in html
    assert reverse("orders:detail", args=[order.pk]) in html
    assert order.number in html
    assert "allocation" in html.lower()


def test_ledger_filters_by_location(owner_client, stocked):
    receive(stocked, "WH2", "TEA", 4)
    product = Product.objects.get(merchant=stocked, sku="TEA")

    response = owner_client.get(reverse("inventory:product_ledger", args=[product.pk]), {"warehouse": "WH2"})

    assert [move.location.code for move in response.context["page_obj"].object_list] == ["WH2"]


# --- Allocation policy --------------------------------------------------------------------------------------


def test_policy_form_saves(owner_client, stocked):
    channel = sell(stocked, "TEA", 1, placed_at=datetime(2024, 5, 1, tzinfo=UTC)).channel

    response = owner_client.post(
        reverse("inventory:policy"),
        {
            "preference": "nearest",
            "shortage": "wait_whole",
            "location_priority": "WH2\nWH1",
            f"holdback_{channel.pk}": "3",
        },
    )

    assert response.status_code == 302
    policy = AllocationPolicy.objects.get(merchant=stocked)
    assert (policy.preference, policy.allow_split, policy.shortage) == ("nearest", False, "wait_whole")
    assert policy.location_priority == ["WH2", "WH1"]
    assert policy.channel_holdback == {str(channel.pk): 3}


def test_policy_form_shows_the_saved_values(owner_client, stocked):
    AllocationPolicy.objects.create(merchant=stocked, preference="nearest", location_priority=["WH2", "WH1"])

    form = owner_client.get(reverse("inventory:policy")).context["form"]

    assert form.initial["preference"] == "nearest"
    assert form.initial["location_priority"] == "WH2\nWH1"


@pytest.mark.parametrize("codes", ["WH1, NOPE", "WH1 WH1"])
def test_policy_refuses_unknown_or_repeated_codes(owner_client, stocked, codes):
    response = owner_client.post(
        reverse("inventory:policy"),
        {"preference": "nearest", "shortage": "wait_whole", "location_priority": codes},
    )

    assert "location_priority" in response.context["form"].errors
    assert not AllocationPolicy.objects.filter(merchant=stocked).exists()


# --- Locations and products ---------------------------------------------------------------------------------


def test_location_create_with_address_capabilities_and_hours(owner_client, merchant):
    response = owner_client.post(
        reverse("inventory:location_create"),
        {
            "code": "SZ-1",
            "name": "Shenzhen store",
            "kind": "store",
            "province": "广东省",
            "city": "深圳市",
            "district": "南山区",
            "detail": "科技园 1 号",
            "capabilities": ["pickup", "same_city"],
            "daily_capacity": "300",
            "hours_mon": "09:00-18:00",
            "hours_sat": "10:00-12:00, 14:00-16:00",
            "active": "on",
        },
    )

    assert response.status_code == 302
    location = Location.objects.get(merchant=merchant, code="SZ-1")
    assert (location.kind, location.region_code, location.daily_capacity) == ("store", "440305", 300)
    assert location.capabilities == ["pickup", "same_city"]
    assert location.opening_hours == {"mon": "09:00-18:00", "sat": "10:00-12:00, 14:00-16:00"}
    assert location.latitude is not None
    assert location.active is True


def test_location_edit_keeps_the_code_unique(owner_client, merchant):
    make_location(merchant, "WH1")
    other = make_location(merchant, "WH2")

    response = owner_client.post(
        reverse("inventory:location_edit", args=[other.pk]), {"code": "WH1", "name": "x", "kind": "warehouse"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Location.objects.get(pk=other.pk).code == "WH2"


@pytest.mark.parametrize("hours", ["9-18", "09:00 to 18:00"])
def test_location_hours_must_be_ranges(owner_client, merchant, hours):
    response = owner_client.post(
        reverse("inventory:location_create"),
        {"code": "X", "name": "x", "kind": "warehouse", "hours_mon": hours},
    )

    assert "hours_mon" in response.context["form"].errors
    assert not Location.objects.filter(merchant=merchant).exists()


def test_product_create_with_dimensions_attributes_and_components(owner_client, merchant):
    make_product(merchant, "TEA")
    make_product(merchant, "CUP")

    response = owner_client.post(
        reverse("inventory:product_create"),
        {
            "sku": "GIFT",
            "title": "Gift box",
            "barcode": "690000",
            "weight_grams": "800",
            "length_mm": "300",
            "width_mm": "200",
            "height_mm": "100",
            "fresh": "on",
            "fragile": "on",
            "reorder_point": "4",
            "components": "TEA 2\nCUP",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    gift = Product.objects.get(merchant=merchant, sku="GIFT")
    assert (gift.weight_grams, gift.length_mm, gift.width_mm, gift.height_mm) == (800, 300, 200, 100)
    assert gift.attributes == {"fresh": True, "fragile": True, "custom": False, "presale": False}
    assert gift.reorder_point == 4
    assert sorted(BundleComponent.objects.filter(bundle=gift).values_list("component__sku", "quantity")) == [
        ("CUP", 1),
        ("TEA", 2),
    ]


def test_product_edit_keeps_other_attributes_and_replaces_components(owner_client, merchant):
    make_product(merchant, "TEA")
    gift = make_product(merchant, "GIFT", attributes={"origin": "Yunnan", "fresh": True})

    owner_client.post(
        reverse("inventory:product_edit", args=[gift.pk]),
        {
            "sku": "GIFT",
            "title": "Gift",
            "weight_grams": "1",
            "length_mm": "0",
            "width_mm": "0",
            "height_mm": "0",
            "reorder_point": "0",
            "components": "TEA 3",
            "is_active": "on",
        },
    )

    gift.refresh_from_db()
    assert gift.attributes == {
        "origin": "Yunnan",
        "fresh": False,
        "fragile": False,
        "custom": False,
        "presale": False,
    }
    assert list(BundleComponent.objects.filter(bundle=gift).values_list("component__sku", "quantity")) == [
        ("TEA", 3)
    ]


@pytest.mark.parametrize(("components", "message"), [("NOPE 1", "unknown component"), ("GIFT 1", "itself")])
def test_product_components_must_be_known_and_not_itself(owner_client, merchant, components, message):
    gift = make_product(merchant, "GIFT")

    response = owner_client.post(
        reverse("inventory:product_edit", args=[gift.pk]),
        {
            "sku": "GIFT",
            "title": "Gift",
            "weight_grams": "0",
            "length_mm": "0",
            "width_mm": "0",
            "height_mm": "0",
            "reorder_point": "0",
            "components": components,
        },
    )

    assert message in str(response.context["form"].errors)
    assert not BundleComponent.objects.filter(bundle=gift).exists()
    assert Product.objects.get(pk=gift.pk).title == "Product GIFT"


def test_duplicate_sku_is_a_form_error(owner_client, merchant):
    make_product(merchant, "TEA")

    response = owner_client.post(
        reverse("inventory:product_create"),
        {
            "sku": "TEA",
            "title": "Again",
            "weight_grams": "0",
            "length_mm": "0",
            "width_mm": "0",
            "height_mm": "0",
            "reorder_point": "0",
        },
    )

    assert "sku" in response.context["form"].errors
    assert Product.objects.filter(merchant=merchant, sku="TEA").count() == 1


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("inventory:stock", "调整库存"),
        ("inventory:purchasing", "建议采购量"),
        ("inventory:transfers", "没有调拨建议。"),
        ("inventory:suppliers", "还没有供应商。"),
        ("inventory:policy", "渠道预留"),
        ("inventory:import", "导入商品或库存盘点"),
    ],
)
def test_pages_speak_chinese(owner_client, stocked, name, text):
    response = owner_client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert text in response.content.decode()
