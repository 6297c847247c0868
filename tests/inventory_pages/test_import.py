"""CSV import of products and stock counts: row-level errors, good rows applied, encodings, idempotency."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory import product_import
from inventory.models import StockMove
from oms.catalog.models import Product
from oms.tenancy.models import Role
from tests.inventory_pages.conftest import ACTOR, level, make_location, make_product, moves

pytestmark = pytest.mark.django_db

PRODUCT_HEADER = (
    "sku,title,barcode,weight_grams,length_mm,width_mm,height_mm,fresh,fragile,custom,presale,reorder_point"
)


def upload(client, kind: str, content: bytes, name: str = "file.csv"):
    return client.post(
        reverse("inventory:import"), {"kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")}
    )


def errors_of(result) -> list[tuple]:
    return [(error.row, error.column, error.message) for error in result.errors]


def test_templates_hold_the_header(owner_client):
    products = owner_client.get(reverse("inventory:import_template", args=["products"]))
    stock = owner_client.get(reverse("inventory:import_template", args=["stock"]))

    assert products.content == ("\ufeff" + PRODUCT_HEADER + "\r\n").encode()
    assert stock.content == "\ufeffwarehouse,sku,on_hand,safety\r\n".encode()
    assert products["Content-Disposition"] == 'attachment; filename="products-template.csv"'
    assert owner_client.get(reverse("inventory:import_template", args=["orders"])).status_code == 404


def test_product_import_applies_good_rows_and_reports_bad_ones(owner_client, merchant):
    make_product(merchant, "OLD", title="Old title", weight_grams=100, attributes={"origin": "Fujian"})
    content = "\n".join(
        [
            PRODUCT_HEADER,
            "TEA,Green tea,690001,250,100,80,60,1,0,no,false,5",
            "OLD,New title,,,,,,yes,,,,",
            ",No sku,,,,,,,,,,",
            "CUP,,,,,,,,,,,",
            "BAD,Bad numbers,,heavy,-1,,,maybe,,,,",
            "DUP,First,,,,,,,,,,",
            "DUP,Second,,,,,,,,,,",
        ]
    ).encode()

    response = upload(owner_client, "products", content)

    result = response.context["result"]
    assert (result.rows, result.created, result.updated, result.failed_rows) == (7, 1, 1, 5)
    assert errors_of(result) == [
        (4, "sku", "A SKU is required."),
        (5, "title", "A title is required."),
        (6, "fresh", "“maybe” is not yes/no (1/0, true/false)."),
        (6, "length_mm", "“-1” is not a whole number ≥ 0."),
        (6, "weight_grams", "“heavy” is not a whole number ≥ 0."),
        (7, "sku", "Listed again on row(s) 8."),
        (8, "sku", "Listed again on row(s) 7."),
    ]
    tea = Product.objects.get(merchant=merchant, sku="TEA")
    assert (tea.title, tea.barcode, tea.weight_grams, tea.length_mm, tea.width_mm, tea.height_mm) == (
        "Green tea",
        "690001",
        250,
        100,
        80,
        60,
    )
    assert tea.attributes == {"fresh": True, "fragile": False, "custom": False, "presale": False}
    assert tea.reorder_point == 5
    old = Product.objects.get(merchant=merchant, sku="OLD")
    assert (old.title, old.weight_grams, old.attributes) == (
        "New title",
        100,
        {"origin": "Fujian", "fresh": True},
    )
    assert set(Product.objects.filter(merchant=merchant).values_list("sku", flat=True)) == {"TEA", "OLD"}
    html = response.content.decode()
    assert "<code>weight_grams</code>" in html
    assert "Listed again on row(s) 8." in html


def test_product_import_of_the_same_file_twice_changes_nothing(merchant):
    content = (PRODUCT_HEADER + "\nTEA,Green tea,690001,250,,,,1,,,,5\n").encode()

    first = product_import.products_import(merchant=merchant, raw=content, actor=ACTOR)
    stamp = Product.objects.get(merchant=merchant, sku="TEA").updated_at
    second = product_import.products_import(merchant=merchant, raw=content, actor=ACTOR)

    assert (first.created, second.created, second.updated, second.unchanged) == (1, 0, 0, 1)
    assert Product.objects.get(merchant=merchant, sku="TEA").updated_at == stamp


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_chinese_files_in_each_encoding(merchant, encoding):
    content = (PRODUCT_HEADER + "\n绿茶-1,西湖龙井 250克,,250,,,,是,否,,,3\n").encode(encoding)

    result = product_import.products_import(merchant=merchant, raw=content, actor=ACTOR)

    assert (result.created, result.errors) == (1, [])
    product = Product.objects.get(merchant=merchant, sku="绿茶-1")
    assert (product.title, product.attributes["fresh"], product.attributes["fragile"]) == (
        "西湖龙井 250克",
        True,
        False,
    )


def test_a_gbk_file_through_the_page(owner_client, merchant):
    make_location(merchant, "仓1")
    make_product(merchant, "茶")
    content = "warehouse,sku,on_hand,safety\n仓1,茶,8,1\n".encode("gbk")

    response = upload(owner_client, "stock", content, "盘点.csv")

    assert response.context["result"].created == 1
    assert (level(merchant, "仓1", "茶").on_hand, level(merchant, "仓1", "茶").safety) == (8, 1)


def test_semicolons_and_tabs_are_understood(merchant):
    content = b"sku;title\nTEA;Tea\n"

    assert product_import.products_import(merchant=merchant, raw=content, actor=ACTOR).created == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\n\n", "The file is empty."),
        (b"sku,name\nA,B\n", "The header lacks the column(s): title. Download the template."),
        (b"\xff\xfe\x00s\x00k\x00u", "The file is neither UTF-8 nor GB18030/GBK text."),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(owner_client, merchant, content, message):
    response = upload(owner_client, "products", content)

    assert response.context["form"].errors["file"] == [message]
    assert response.context["result"] is None
    assert not Product.objects.filter(merchant=merchant).exists()


@pytest.fixture
def warehouse(merchant):
    make_location(merchant, "WH1")
    make_location(merchant, "WH2")
    make_product(merchant, "TEA")
    make_product(merchant, "CUP")
    make_product(merchant, "POT")
    return merchant


STOCK = b"\n".join(
    [
        b"warehouse,sku,on_hand,safety",
        b"WH1,TEA,20,2",
        b"WH2,TEA,5,",
        b"WH1,CUP,,3",
        b"NOPE,TEA,1,",
        b"WH1,GONE,1,",
        b"WH2,CUP,-4,",
        b"WH2,POT,,",
    ]
)


def test_stock_import_counts_good_rows_through_the_ledger(owner_client, warehouse):
    response = upload(owner_client, "stock", STOCK)

    result = response.context["result"]
    assert (result.rows, result.created, result.failed_rows) == (7, 3, 4)
    assert errors_of(result) == [
        (5, "warehouse", "Unknown warehouse “NOPE”."),
        (6, "sku", "Unknown SKU “GONE”."),
        (7, "on_hand", "“-4” is not a whole number ≥ 0."),
        (8, "on_hand", "Give on_hand, safety or both."),
    ]
    assert moves(warehouse, "TEA") == [
        ("WH1", "count", 20, 0, 0),
        ("WH1", "safety", 0, 0, 2),
        ("WH2", "count", 5, 0, 0),
    ]
    assert moves(warehouse, "CUP") == [("WH1", "safety", 0, 0, 3)]
    assert StockMove.objects.filter(merchant=warehouse, reason="CSV import").count() == 4
    assert level(warehouse, "WH2", "CUP") is None


def test_stock_reimport_is_idempotent(warehouse):
    product_import.stock_import(merchant=warehouse, raw=STOCK, actor=ACTOR)
    before = StockMove.objects.count()

    again = product_import.stock_import(merchant=warehouse, raw=STOCK, actor=ACTOR)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert StockMove.objects.count() == before


def test_a_recount_writes_only_the_difference(warehouse):
    product_import.stock_import(merchant=warehouse, raw=b"warehouse,sku,on_hand\nWH1,TEA,20\n", actor=ACTOR)

    result = product_import.stock_import(
        merchant=warehouse, raw=b"warehouse,sku,on_hand\nWH1,TEA,17\n", actor=ACTOR
    )

    assert result.updated == 1
    assert moves(warehouse, "TEA") == [("WH1", "count", 20, 0, 0), ("WH1", "count", -3, 0, 0)]


def test_duplicate_count_rows_are_both_refused(warehouse):
    result = product_import.stock_import(
        merchant=warehouse, raw=b"warehouse,sku,on_hand\nWH1,TEA,20\nWH1,TEA,21\n", actor=ACTOR
    )

    assert [error.row for error in result.errors] == [2, 3]
    assert not StockMove.objects.filter(merchant=warehouse).exists()


def test_another_merchants_codes_are_unknown(warehouse, rival):
    make_location(rival, "RIVAL-WH")
    make_product(rival, "RIVAL-SKU")

    result = product_import.stock_import(
        merchant=warehouse, raw=b"warehouse,sku,on_hand\nRIVAL-WH,TEA,1\nWH1,RIVAL-SKU,1\n", actor=ACTOR
    )

    assert [error.column for error in result.errors] == ["warehouse", "sku"]
    assert not StockMove.objects.exists()


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.VIEWER, Role.CLERK])
def test_only_owners_and_managers_import(client_as, warehouse, role):
    client = client_as(role)

    assert client.get(reverse("inventory:import")).status_code == 403
    assert upload(client, "stock", STOCK).status_code == 403
    assert not StockMove.objects.exists()


def test_a_manager_imports(client_as, warehouse):
    assert upload(client_as(Role.MANAGER), "stock", STOCK).status_code == 200
    assert StockMove.objects.filter(merchant=warehouse).count() == 4


def test_row_numbers_are_the_spreadsheets_even_after_blank_lines(merchant):
    content = ("\n" + PRODUCT_HEADER + "\nTEA,Tea,,,,,,,,,,\n\nCUP,,,,,,,,,,,\n").encode()

    result = product_import.products_import(merchant=merchant, raw=content, actor=ACTOR)

    assert errors_of(result) == [(5, "title", "A title is required.")]
