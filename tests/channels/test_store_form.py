"""The store counter form: scan or search products, smart paste, four delivery choices, one order per form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from channels.models import ChannelAccount
from oms.catalog.models import Product
from oms.orders.models import Order
from oms.tenancy.models import Role
from tests.dashboard.conftest import client_for, make_member, make_store

pytestmark = pytest.mark.django_db

PASTE = "张三 13800138000 广东省深圳市南山区科技园南区 8 栋 301"


@pytest.fixture
def store(merchant):
    return make_store(merchant, "SZ-SHOP")


@pytest.fixture
def products(merchant):
    return [
        Product.objects.create(
            merchant=merchant, sku="TEA-GREEN", title="绿茶 250g", barcode="6901234567892"
        ),
        Product.objects.create(
            merchant=merchant, sku="TEA-BLACK", title="红茶 250g", barcode="6901234567809"
        ),
        Product.objects.create(merchant=merchant, sku="CUP", title="Tea cup", is_active=False),
    ]


@pytest.fixture
def clerk(merchant, store):
    return client_for(make_member(merchant, Role.CLERK, store=store).user)


def order_form(token: str = "form-1", **values) -> dict:  # noqa: S107  a form token, no secret
    data = {
        "token": token,
        "customer_name": "Li Lei",
        "customer_phone": "13800138000",
        "delivery": "taken_now",
        "line_sku": ["TEA-GREEN", "TEA-BLACK"],
        "line_quantity": ["2", "1"],
        "line_unit_price": ["39.90", "59.00"],
    }
    data.update(values)
    return data


def test_clerk_sees_her_store_fixed_and_an_empty_form(clerk, store):
    response = clerk.get(reverse("channels:store_order"))

    form = response.context["form"]
    assert response.status_code == 200
    assert form.fields["store"].disabled
    assert list(form.fields["store"].queryset) == [store]
    html = response.content.decode()
    assert "Store S" in html and "SZ-SHOP" in html
    assert 'name="token"' in html and "csrfmiddlewaretoken" in html
    assert form["token"].value()


def test_clerk_takes_a_taken_now_order_without_address(clerk, merchant, store, products):
    response = clerk.post(reverse("channels:store_order"), order_form())

    order = Order.objects.get(merchant=merchant)
    assert response.url == reverse("channels:store_order_done", args=[order.pk])
    assert order.channel == ChannelAccount.objects.get(merchant=merchant, kind="store")
    assert (order.delivery_method, order.pickup_location, order.tags) == (
        "pickup",
        store,
        ["taken_now", "store:SZ-SHOP"],
    )
    assert order.shipping_address.get("detail", "") == ""
    assert list(order.issues.values_list("code", flat=True)) == []
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("TEA-GREEN", 2, Decimal("39.90")),
        ("TEA-BLACK", 1, Decimal("59.00")),
    ]
    assert order.total == Decimal("138.80")
    assert list(order.events.values_list("kind", flat=True)) == ["created", "handed_over"]
    assert (order.customer_name, order.customer_phone) == ("Li Lei", "+8613800138000")
    done = clerk.get(response.url).content.decode()
    assert order.number in done and "Taken now" in done
    assert reverse("channels:store_order") in done


def test_pick_up_here_later_is_a_pickup_at_this_store(clerk, merchant, store, products):
    clerk.post(reverse("channels:store_order"), order_form(delivery="pickup", province="广东省"))

    order = Order.objects.get(merchant=merchant)
    assert (order.delivery_method, order.pickup_location, order.tags) == ("pickup", store, ["store:SZ-SHOP"])
    assert order.shipping_address.get("province", "") == ""
    assert list(order.events.values_list("kind", flat=True)) == ["created"]


def test_paste_returns_the_parsed_fields_for_checking(clerk):
    response = clerk.post(reverse("channels:store_paste"), {"paste": PASTE, "country": "CN"})

    form = response.context["form"]
    assert response.templates[0].name == "channels/_store_address.html"
    assert {
        name: form[name].value() for name in ("ship_name", "ship_phone", "province", "city", "district")
    } == {
        "ship_name": "张三",
        "ship_phone": "+8613800138000",
        "province": "广东省",
        "city": "深圳市",
        "district": "南山区",
    }
    assert "科技园南区" in form["detail"].value()
    assert 'value="南山区"' in response.content.decode()


def test_express_with_the_pasted_address_files_a_coded_address(clerk, merchant, store, products):
    parsed = clerk.post(reverse("channels:store_paste"), {"paste": PASTE}).context["form"]
    address = {
        name: parsed[name].value() for name in ("ship_name", "ship_phone", "province", "city", "district")
    }
    address["detail"] = "科技园南区 8 栋 301"

    clerk.post(
        reverse("channels:store_order"),
        order_form(delivery="express", customer_name="", customer_phone="", paste=PASTE, **address),
    )

    order = Order.objects.get(merchant=merchant)
    assert (order.delivery_method, order.pickup_location, order.tags) == ("express", None, ["store:SZ-SHOP"])
    assert {
        key: order.shipping_address[key] for key in ("name", "phone", "district", "detail", "region_code")
    } == {
        "name": "张三",
        "phone": "+8613800138000",
        "district": "南山区",
        "detail": "科技园南区 8 栋 301",
        "region_code": "440305",
    }
    assert (order.customer_name, order.customer_phone, order.region_code) == (
        "张三",
        "+8613800138000",
        "440305",
    )
    assert list(order.issues.values_list("code", flat=True)) == []


def test_a_delivery_needs_an_address_and_a_phone(clerk, merchant, products):
    response = clerk.post(
        reverse("channels:store_order"),
        order_form(delivery="same_city", customer_phone="", province="广东省"),
    )

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert {name: errors[name] for name in ("city", "detail", "ship_phone")} == {
        "city": ["Needed for a delivery."],
        "detail": ["Needed for a delivery."],
        "ship_phone": ["A phone number is needed for a delivery."],
    }
    assert not Order.objects.exists()


def test_a_double_submit_creates_one_order(clerk, merchant, products):
    first = clerk.post(reverse("channels:store_order"), order_form(token="same"))
    second = clerk.post(reverse("channels:store_order"), order_form(token="same"))

    order = Order.objects.get(merchant=merchant)
    assert first.url == second.url == reverse("channels:store_order_done", args=[order.pk])
    assert order.idempotency_key == "store-form:same"


def test_an_old_form_sent_again_with_other_lines_is_refused(clerk, merchant, products):
    clerk.post(reverse("channels:store_order"), order_form(token="same"))

    response = clerk.post(reverse("channels:store_order"), order_form(token="same", line_quantity=["5", "1"]))

    number = Order.objects.get(merchant=merchant).number
    assert response.context["form"].non_field_errors() == [
        f"This form was already sent as order {number}; start a new order to sell again."
    ]
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("lines", "message", "line_errors"),
    [
        ({"line_sku": [], "line_quantity": [], "line_unit_price": []}, "Add at least one product.", []),
        (
            {"line_sku": ["NOPE", "TEA-GREEN"], "line_quantity": ["1", "0"], "line_unit_price": ["5", "x"]},
            "Check the lines marked below.",
            [
                ["Unknown SKU."],
                [
                    "The quantity must be a whole number of at least 1.",
                    "Enter the unit price, for example 12.50.",
                ],
            ],
        ),
        (
            {"line_sku": ["CUP"], "line_quantity": ["1"], "line_unit_price": ["1.999"]},
            "Check the lines marked below.",
            [["Unknown SKU.", "Enter the unit price, for example 12.50."]],
        ),
    ],
    ids=["no lines", "bad lines", "inactive product and three decimals"],
)
def test_bad_lines_are_marked_and_nothing_is_created(clerk, products, lines, message, line_errors):
    response = clerk.post(reverse("channels:store_order"), order_form(**lines))

    assert response.context["form"].non_field_errors() == [message]
    assert [[str(error) for error in row["errors"]] for row in response.context["lines"]] == line_errors
    assert not Order.objects.exists()


def test_a_clerk_cannot_sell_for_another_store(clerk, merchant, store, products):
    other = make_store(merchant, "BJ-SHOP")

    clerk.post(reverse("channels:store_order"), order_form(store=other.pk, delivery="pickup"))

    assert Order.objects.get(merchant=merchant).pickup_location == store


def test_an_owner_picks_the_store(owner_client, merchant, store, products):
    other = make_store(merchant, "BJ-SHOP")

    owner_client.post(reverse("channels:store_order"), order_form(store=other.pk, delivery="pickup"))

    order = Order.objects.get(merchant=merchant)
    assert (order.pickup_location, order.tags) == (other, ["store:BJ-SHOP"])


def test_an_owner_without_stores_is_told_to_add_one(owner_client):
    html = owner_client.get(reverse("channels:store_order")).content.decode()

    assert "No store yet." in html


def test_product_search_finds_by_barcode_sku_or_name_and_marks_an_exact_match(clerk, products, rival):
    Product.objects.create(merchant=rival, sku="TEA-RIVAL", title="绿茶 rival", barcode="6901234567892")
    url = reverse("channels:store_products")

    by_barcode = clerk.get(url, {"q": "6901234567892"})
    by_name = clerk.get(url, {"q": "绿茶"})
    by_sku = clerk.get(url, {"q": "tea-black"})

    assert [p.sku for p in by_barcode.context["products"]] == ["TEA-GREEN"]
    assert by_barcode.context["exact"].sku == "TEA-GREEN"
    assert 'data-sku="TEA-GREEN" data-title="绿茶 250g" data-exact' in by_barcode.content.decode()
    assert ([p.sku for p in by_name.context["products"]], by_name.context["exact"]) == (["TEA-GREEN"], None)
    assert by_sku.context["exact"].sku == "TEA-BLACK"
    assert "No product matches “CUP”." in clerk.get(url, {"q": "CUP"}).content.decode()
    assert clerk.get(url, {"q": ""}).content.decode().strip() == ""


@pytest.mark.parametrize("role", [Role.VIEWER, Role.WAREHOUSE])
def test_only_clerks_owners_and_managers_use_the_store_form(merchant, store, products, role):
    client = client_for(make_member(merchant, role).user)

    responses = [
        client.get(reverse("channels:store_order")),
        client.post(reverse("channels:store_order"), order_form()),
        client.get(reverse("channels:store_products"), {"q": "TEA"}),
        client.post(reverse("channels:store_paste"), {"paste": PASTE}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert not Order.objects.exists()


def test_the_form_and_the_paste_need_the_csrf_token(merchant, store, products):
    clerk = Client(enforce_csrf_checks=True)
    clerk.force_login(make_member(merchant, Role.CLERK, store=store).user)

    responses = [
        clerk.post(reverse("channels:store_order"), order_form()),
        clerk.post(reverse("channels:store_paste"), {"paste": PASTE}),
    ]

    assert [response.status_code for response in responses] == [403, 403]
    assert not Order.objects.exists()
