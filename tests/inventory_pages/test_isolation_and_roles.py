"""Tenant isolation of the inventory pages (another merchant's ids are 404 and change nothing; lists are
private) and who may do what (viewers read; warehouse operators change stock, not the policy)."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from inventory import replenishment
from inventory.models import AllocationPolicy, ReplenishmentAlert, StockMove, Supplier, SupplierProduct
from oms.catalog.models import Product
from oms.locations.models import Location
from oms.tenancy.models import Role
from tests.inventory_pages.conftest import level, make_location, make_product, make_supplier, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_rows(merchant):
    """One row of every kind an inventory URL takes the id of, all belonging to Acme."""
    location = make_location(merchant, "ACME-WH")
    product = make_product(merchant, "ACME-SKU", reorder_point=10)
    receive(merchant, "ACME-WH", "ACME-SKU", 3)
    supplier = make_supplier(merchant, "Acme Leaf", links={product: {"supplier_sku": "AL-1"}})
    replenishment.replenishment_alerts_scan(merchant=merchant)
    return {
        "location": location,
        "product": product,
        "supplier": supplier,
        "link": SupplierProduct.objects.get(supplier=supplier),
        "alert": ReplenishmentAlert.objects.get(merchant=merchant),
    }


PRODUCT_POST = {
    "sku": "HACKED",
    "title": "x",
    "weight_grams": "0",
    "length_mm": "0",
    "width_mm": "0",
    "height_mm": "0",
    "reorder_point": "0",
}
URLS = [
    ("get", "inventory:location_edit", ["location"], {}),
    ("post", "inventory:location_edit", ["location"], {"code": "HACKED", "name": "x", "kind": "store"}),
    ("get", "inventory:product_edit", ["product"], {}),
    ("post", "inventory:product_edit", ["product"], PRODUCT_POST),
    ("get", "inventory:product_ledger", ["product"], {}),
    ("post", "inventory:alert_acknowledge", ["alert"], {}),
    ("get", "inventory:supplier_detail", ["supplier"], {}),
    (
        "post",
        "inventory:supplier_detail",
        ["supplier"],
        {"name": "HACKED", "lead_time_days": "1", "currency": "USD"},
    ),
    (
        "post",
        "inventory:supplier_product_save",
        ["supplier"],
        {"sku": "ACME-SKU", "pack_size": "99", "unit_cost": "9"},
    ),
    ("post", "inventory:supplier_product_remove", ["supplier", "link"], {}),
    ("post", "inventory:supplier_link_issue", ["supplier"], {}),
    ("post", "inventory:supplier_link_revoke", ["supplier"], {}),
    ("get", "inventory:supplier_purchase_csv", ["supplier"], {}),
]


def snapshot(rows) -> list[dict]:
    return [model_to_dict(type(row).objects.get(pk=row.pk)) for row in rows.values()]


@pytest.mark.parametrize(("method", "name", "args", "data"), URLS, ids=[f"{m} {n}" for m, n, _, _ in URLS])
def test_another_merchants_id_is_404_and_changes_nothing(rival_client, acme_rows, method, name, args, data):
    before = snapshot(acme_rows)
    moves = StockMove.objects.count()

    response = getattr(rival_client, method)(reverse(name, args=[acme_rows[key].pk for key in args]), data)

    assert response.status_code == 404
    assert snapshot(acme_rows) == before
    assert StockMove.objects.count() == moves


def test_every_inventory_url_with_an_id_is_covered():
    from django.urls import get_resolver

    def names(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from names(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif "_id>" in str(pattern.pattern):
                yield f"{prefix}{pattern.name}"

    inventory = {name for name in names(get_resolver()) if name.startswith("inventory:")}

    assert inventory == {name for _, name, _, _ in URLS}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("inventory:adjust", {"location": "ACME-WH", "sku": "ACME-SKU", "kind": "receipt", "quantity": "5"}),
        (
            "inventory:transfer",
            {"source": "ACME-WH", "destination": "R1", "sku": "ACME-SKU", "quantity": "1"},
        ),
        (
            "inventory:transfer_apply",
            {"source": "ACME-WH", "destination": "R1", "sku": "ACME-SKU", "quantity": "1"},
        ),
    ],
)
def test_another_merchants_codes_cannot_move_stock(rival_client, rival, acme_rows, name, data):
    make_location(rival, "R1")
    make_product(rival, "RIVAL-SKU")
    moves = StockMove.objects.count()

    response = rival_client.post(reverse(name), data)

    assert response.status_code in (200, 302)
    assert StockMove.objects.count() == moves
    assert level(acme_rows["location"].merchant, "ACME-WH", "ACME-SKU").on_hand == 3


def test_rival_rows_are_absent_from_every_list(owner_client, merchant, rival):
    make_location(merchant, "ACME-WH")
    make_product(merchant, "ACME-SKU", reorder_point=10)
    receive(merchant, "ACME-WH", "ACME-SKU", 1)
    make_supplier(merchant, "Acme Leaf")
    make_location(rival, "RIVAL-WH")
    make_location(rival, "RIVAL-WH2")
    rival_sku = make_product(rival, "RIVAL-SKU", reorder_point=10)
    receive(rival, "RIVAL-WH", "RIVAL-SKU", 30)
    make_supplier(rival, "Rival Leaf", links={rival_sku: {}})
    for who in (merchant, rival):
        replenishment.replenishment_alerts_scan(merchant=who)
    pages = {
        reverse("inventory:stock"): "ACME-SKU",
        reverse("inventory:purchasing") + "?all=1": "ACME-SKU",
        reverse("inventory:transfers"): "",
        reverse("inventory:suppliers"): "Acme Leaf",
        reverse("inventory:locations"): "ACME-WH",
        reverse("inventory:products"): "ACME-SKU",
        reverse("inventory:policy"): "",
    }

    for url, own in pages.items():
        html = owner_client.get(url).content.decode()
        assert own in html, url
        assert [text for text in ("RIVAL-WH", "RIVAL-SKU", "Rival Leaf") if text in html] == [], url


def test_a_rival_channel_cannot_be_given_a_holdback(owner_client, merchant, rival):
    from channels.services import channel_for_internal

    rival_channel = channel_for_internal(merchant=rival, kind="api")

    owner_client.post(
        reverse("inventory:policy"),
        {"preference": "nearest", "shortage": "wait_whole", f"holdback_{rival_channel.pk}": "5"},
    )

    assert AllocationPolicy.objects.get(merchant=merchant).channel_holdback == {}


# --- Roles ------------------------------------------------------------------------------------------------


@pytest.fixture
def stocked(merchant):
    make_location(merchant, "WH1")
    make_location(merchant, "WH2")
    make_product(merchant, "TEA")
    receive(merchant, "WH1", "TEA", 10)
    return merchant


ADJUST = {"location": "WH1", "sku": "TEA", "kind": "receipt", "quantity": "5"}
TRANSFER = {"source": "WH1", "destination": "WH2", "sku": "TEA", "quantity": "1"}
POLICY = {"preference": "nearest", "shortage": "wait_whole", "location_priority": "WH2"}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
def test_viewers_and_clerks_cannot_change_stock_or_policy(client_as, stocked, role):
    client = client_as(role)
    moves = StockMove.objects.count()

    answers = [
        client.post(reverse("inventory:adjust"), ADJUST).status_code,
        client.post(reverse("inventory:transfer"), TRANSFER).status_code,
        client.post(reverse("inventory:policy"), POLICY).status_code,
        client.get(reverse("inventory:adjust")).status_code,
    ]

    assert answers == [403, 403, 403, 403]
    assert StockMove.objects.count() == moves
    assert not AllocationPolicy.objects.filter(merchant=stocked).exists()


def test_viewers_read_every_page(client_as, stocked):
    client = client_as(Role.VIEWER)
    product = Product.objects.get(merchant=stocked, sku="TEA")
    names = ["stock", "purchasing", "transfers", "suppliers", "locations", "products", "policy"]

    answers = {name: client.get(reverse(f"inventory:{name}")).status_code for name in names}
    answers["ledger"] = client.get(reverse("inventory:product_ledger", args=[product.pk])).status_code

    assert set(answers.values()) == {200}
    html = client.get(reverse("inventory:stock")).content.decode()
    assert reverse("inventory:adjust") not in html
    policy_page = client.get(reverse("inventory:policy"))
    assert all(field.disabled for field in policy_page.context["form"].fields.values())


def test_warehouse_operator_adjusts_and_transfers_but_cannot_edit_the_policy(client_as, stocked):
    client = client_as(Role.WAREHOUSE)

    adjusted = client.post(reverse("inventory:adjust"), ADJUST)
    moved = client.post(reverse("inventory:transfer"), TRANSFER)
    policy = client.post(reverse("inventory:policy"), POLICY)

    assert (adjusted.status_code, moved.status_code, policy.status_code) == (302, 302, 403)
    assert [
        m.kind for m in StockMove.objects.filter(merchant=stocked, actor_label="warehouse@acme.test")
    ] == [
        "transfer_in",
        "transfer_out",
        "receipt",
    ]
    assert not AllocationPolicy.objects.filter(merchant=stocked).exists()


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("inventory:location_create", [], 403),
        ("inventory:product_create", [], 200),
        ("inventory:import", [], 403),
    ],
)
def test_warehouse_operator_pages(client_as, stocked, name, args, expected):
    assert client_as(Role.WAREHOUSE).get(reverse(name, args=args)).status_code == expected


def test_warehouse_operator_cannot_change_suppliers(client_as, stocked):
    supplier = make_supplier(stocked, "Leaf")
    client = client_as(Role.WAREHOUSE)

    answers = [
        client.post(
            reverse("inventory:suppliers"), {"name": "New", "lead_time_days": "1", "currency": "CNY"}
        ),
        client.post(reverse("inventory:supplier_link_issue", args=[supplier.pk])),
        client.post(reverse("inventory:supplier_detail", args=[supplier.pk]), {"name": "x"}),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert list(Supplier.objects.filter(merchant=stocked).values_list("name", "link_hash")) == [
        ("Leaf", None)
    ]


def test_location_list_shows_edit_links_to_admins_only(client_as, owner_client, stocked):
    location = Location.objects.get(merchant=stocked, code="WH1")
    edit = reverse("inventory:location_edit", args=[location.pk])

    assert edit in owner_client.get(reverse("inventory:locations")).content.decode()
    assert edit not in client_as(Role.WAREHOUSE).get(reverse("inventory:locations")).content.decode()
