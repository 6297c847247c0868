"""Suppliers: pages, SKUs, the private report link (hashed, shown once, revocable) and the weekly digest."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from inventory import suppliers
from inventory.models import Supplier, SupplierProduct
from inventory.tasks import supplier_digest_task
from tests.inventory_pages.conftest import make_location, make_product, make_supplier, receive, sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(merchant, rival):
    """Leaf Co delivers TEA (28 sold in 28 days; 12 at WH1, 3 at WH2 with 2 safety); Cup Co delivers CUP.
    A rival merchant has a supplier and a SKU of its own."""
    now = timezone.now()
    make_location(merchant, "WH1", name="Shenzhen DC")
    make_location(merchant, "WH2", name="Guangzhou store")
    tea = make_product(merchant, "TEA", title="Green tea")
    cup = make_product(merchant, "CUP", title="Secret cup")
    receive(merchant, "WH1", "TEA", 12)
    receive(merchant, "WH2", "TEA", 3, safety=2)
    receive(merchant, "WH1", "CUP", 9)
    sell(merchant, "TEA", 28, placed_at=now - timedelta(days=2), customer="Han Meimei")
    sell(merchant, "CUP", 5, placed_at=now - timedelta(days=2), customer="Zhang Wei")
    leaf = make_supplier(
        merchant,
        "Leaf Co",
        email="sales@leaf.test",
        lead_time_days=7,
        links={tea: {"supplier_sku": "LF-77", "pack_size": 10, "unit_cost": Decimal("3.50")}},
    )
    cups = make_supplier(merchant, "Cup Co", links={cup: {"supplier_sku": "CC-1"}})
    make_location(rival, "R1")
    rival_tea = make_product(rival, "RIVAL-TEA")
    make_supplier(rival, "Leaf Co", links={rival_tea: {}})
    return {"leaf": leaf, "cups": cups, "tea": tea, "cup": cup}


def public_url(token: str) -> str:
    return reverse("supplier_public:report", args=[token])


def test_supplier_page_crud(owner_client, merchant):
    response = owner_client.post(
        reverse("inventory:suppliers"),
        {
            "name": "Leaf Co",
            "email": "sales@leaf.test",
            "lead_time_days": "9",
            "currency": "cny",
            "active": "on",
        },
    )
    supplier = Supplier.objects.get(merchant=merchant, name="Leaf Co")
    assert response.status_code == 302
    assert (supplier.lead_time_days, supplier.currency, supplier.active) == (9, "CNY", True)
    link = owner_client.get(response.url).context["new_link"]["url"]  # a new supplier gets its link at once
    assert (
        Supplier.objects.get(pk=supplier.pk).link_hash
        == hashlib.sha256(link.split("/")[-2].encode()).hexdigest()
    )

    make_product(merchant, "TEA")
    owner_client.post(
        reverse("inventory:supplier_product_save", args=[supplier.pk]),
        {"sku": "TEA", "supplier_sku": "LF-1", "pack_size": "6", "lead_time_days": "3", "unit_cost": "2.25"},
    )
    link = SupplierProduct.objects.get(supplier=supplier)
    assert (link.product.sku, link.supplier_sku, link.pack_size, link.lead_time_days, link.unit_cost) == (
        "TEA",
        "LF-1",
        6,
        3,
        Decimal("2.25"),
    )

    owner_client.post(reverse("inventory:supplier_product_remove", args=[supplier.pk, link.pk]))
    assert not SupplierProduct.objects.filter(supplier=supplier).exists()


def test_duplicate_supplier_name_is_a_form_error(owner_client, merchant):
    make_supplier(merchant, "Leaf Co")

    response = owner_client.post(
        reverse("inventory:suppliers"), {"name": "Leaf Co", "lead_time_days": "7", "currency": "CNY"}
    )

    assert "name" in response.context["form"].errors
    assert Supplier.objects.filter(merchant=merchant).count() == 1


def test_weekly_email_needs_an_address(owner_client, merchant):
    response = owner_client.post(
        reverse("inventory:suppliers"),
        {"name": "Quiet", "lead_time_days": "7", "currency": "CNY", "digest_enabled": "on"},
    )

    assert "email" in response.context["form"].errors


def test_unknown_sku_for_a_supplier_is_a_message(owner_client, shop):
    response = owner_client.post(
        reverse("inventory:supplier_product_save", args=[shop["leaf"].pk]),
        {"sku": "RIVAL-TEA", "pack_size": "1", "unit_cost": "1"},
        follow=True,
    )

    assert "unknown SKU" in response.content.decode()
    assert SupplierProduct.objects.filter(supplier=shop["leaf"]).count() == 1


# --- The private link ---------------------------------------------------------------------------------------


def test_link_is_shown_once_and_stored_only_as_its_hash(owner_client, shop):
    leaf = shop["leaf"]

    owner_client.post(reverse("inventory:supplier_link_issue", args=[leaf.pk]))
    first = owner_client.get(reverse("inventory:supplier_detail", args=[leaf.pk]))
    second = owner_client.get(reverse("inventory:supplier_detail", args=[leaf.pk]))

    url = first.context["new_link"]["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url == f"http://testserver/s/{token}/"
    assert len(token) >= 40
    assert url in first.content.decode()
    assert second.context["new_link"] is None
    assert token not in second.content.decode()
    assert "no-store" in first["Cache-Control"]
    stored = Supplier.objects.get(pk=leaf.pk)
    assert stored.link_hash == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in model_to_dict(stored).values())


def test_public_page_shows_only_the_suppliers_skus(client, shop):
    token = suppliers.supplier_link_issue(merchant=shop["leaf"].merchant, supplier_id=shop["leaf"].pk).token

    response = client.get(public_url(token))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<code>TEA</code>" in html
    assert "LF-77" in html
    assert "Green tea" in html
    for foreign in ("CUP", "Secret cup", "CC-1", "Cup Co", "RIVAL", "Han Meimei", "Zhang Wei", "+86", "3.50"):
        assert foreign not in html, foreign
    report = response.context["report"]
    assert [(row.sku, row.units_sold, row.stock, row.total_available) for row in report.rows] == [
        ("TEA", 28, (("WH1", "Shenzhen DC", 12), ("WH2", "Guangzhou store", 1)), 13)
    ]
    # 1/day × (7 + 7) + 2 safety − 15 = 1 → one pack of 10
    assert report.rows[0].suggested == 10
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_revoked_link_is_404(client, owner_client, shop):
    leaf = shop["leaf"]
    token = suppliers.supplier_link_issue(merchant=leaf.merchant, supplier_id=leaf.pk).token

    owner_client.post(reverse("inventory:supplier_link_revoke", args=[leaf.pk]))

    assert client.get(public_url(token)).status_code == 404
    assert Supplier.objects.get(pk=leaf.pk).link_hash is None


def test_regenerating_retires_the_old_link(client, shop):
    leaf = shop["leaf"]
    old = suppliers.supplier_link_issue(merchant=leaf.merchant, supplier_id=leaf.pk).token

    new = suppliers.supplier_link_issue(merchant=leaf.merchant, supplier_id=leaf.pk).token

    assert client.get(public_url(old)).status_code == 404
    assert client.get(public_url(new)).status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 300])
def test_a_made_up_token_is_404(client, shop, token):
    assert client.get(public_url(token)).status_code == 404


def test_an_inactive_supplier_has_no_page(client, shop):
    leaf = shop["leaf"]
    token = suppliers.supplier_link_issue(merchant=leaf.merchant, supplier_id=leaf.pk).token
    Supplier.objects.filter(pk=leaf.pk).update(active=False)

    assert client.get(public_url(token)).status_code == 404


# --- The weekly digest --------------------------------------------------------------------------------------


def test_digest_goes_to_suppliers_who_opted_in_with_the_reports_figures(
    shop, django_capture_on_commit_callbacks
):
    Supplier.objects.filter(pk=shop["leaf"].pk).update(digest_enabled=True)
    Supplier.objects.filter(pk=shop["cups"].pk).update(email="cups@cup.test")  # not opted in

    with django_capture_on_commit_callbacks(execute=True):
        supplier_digest_task.apply()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sales@leaf.test"]
    assert message.subject == "[Acme] Weekly stock report for Leaf Co"
    assert "TEA (your code LF-77) Green tea" in message.body
    assert "sold: 28   available: 13   suggested order: 10" in message.body
    assert "WH1 Shenzhen DC: 12" in message.body
    assert "WH2 Guangzhou store: 1" in message.body
    for foreign in ("CUP", "Han Meimei", "3.50", "RIVAL"):
        assert foreign not in message.body


def test_digest_is_weekly(shop, django_capture_on_commit_callbacks):
    leaf = shop["leaf"]
    Supplier.objects.filter(pk=leaf.pk).update(digest_enabled=True)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        sent = [
            suppliers.supplier_digests_send_due(now=now),
            suppliers.supplier_digests_send_due(now=now + timedelta(days=3)),
            suppliers.supplier_digests_send_due(now=now + timedelta(days=7)),
        ]

    assert sent == [1, 0, 1]
    assert len(mail.outbox) == 2


def test_a_failing_mail_server_gives_the_claim_back(shop, monkeypatch, django_capture_on_commit_callbacks):
    leaf = shop["leaf"]
    Supplier.objects.filter(pk=leaf.pk).update(digest_enabled=True)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(suppliers, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        suppliers.supplier_digests_send_due()

    assert Supplier.objects.get(pk=leaf.pk).digest_last_sent_at is None
