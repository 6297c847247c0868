"""A store clerk on a tablet, keyboard only: scan, type the price, paste an address, create the order."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from oms.catalog.models import Product
from oms.orders.models import Order
from oms.tenancy.models import Role
from tests.conftest import PASSWORD, make_merchant
from tests.dashboard.conftest import make_member, make_store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
CLERK = "clerk@lotus.test"
BARCODE = "6901234567892"
PASTE = "张三 13800138000 广东省深圳市南山区科技园南区 8 栋 301"


def orm_call(work, *args, **kwargs):
    """ORM work beside Playwright opens its own connection; close it so the test database can be dropped."""
    try:
        return work(*args, **kwargs)
    finally:
        connections.close_all()


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def lotus(live_server):
    def setup():
        merchant = make_merchant("lotus")
        store = make_store(merchant, "SZ-SHOP")
        make_member(merchant, Role.CLERK, email=CLERK, store=store)
        Product.objects.create(merchant=merchant, sku="TEA-GREEN", title="绿茶 250g", barcode=BARCODE)
        return merchant

    return orm_call(setup)


def test_a_clerk_takes_an_express_order_with_the_keyboard_on_a_tablet(live_server, lotus, browser):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(CLERK)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live_server.url}/orders/")
    page.goto(f"{live_server.url}/channels/store/new/")
    search = page.get_by_label("Scan a barcode, or type a SKU or name")
    expect(search).to_be_focused()

    # a scanner types the code and presses Enter: the line appears and the unknown price is asked for
    page.keyboard.type(BARCODE)
    page.keyboard.press("Enter")
    line = page.locator("[data-line][data-sku='TEA-GREEN']")
    expect(line.locator(".line-title")).to_have_text("绿茶 250g")
    expect(line.locator("[name=line_unit_price]")).to_be_focused()
    page.keyboard.type("39.90")
    page.keyboard.press("Enter")
    expect(search).to_be_focused()
    # the second scan of the same product adds one more; its price is known now
    page.keyboard.type(BARCODE)
    page.keyboard.press("Enter")
    expect(line.locator("[name=line_quantity]")).to_have_value("2")
    expect(search).to_be_focused()
    expect(page.locator("[data-order-total]")).to_have_text("79.80")
    expect(page.locator("[data-line]")).to_have_count(1)

    # delivery by express: the address block opens; a pasted address is split into fields
    expect(page.get_by_label("District")).to_be_hidden()
    page.get_by_label("Express courier").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("District")).to_be_visible()
    page.get_by_label("Smart paste").focus()
    page.keyboard.insert_text(PASTE)
    expect(page.get_by_label("District")).to_have_value("南山区")
    expect(page.get_by_label(re.compile(r"^City:?$"))).to_have_value("深圳市")
    expect(page.get_by_label(re.compile(r"^Recipient:?$"))).to_have_value("张三")
    expect(page.get_by_label("Customer name")).to_have_value("张三")
    assert "科技园南区" in page.get_by_label("Street address").input_value()

    page.get_by_role("button", name="Create order").focus()
    page.keyboard.press("Enter")

    number = page.locator("[data-order-number]")
    expect(number).to_be_visible()
    order = orm_call(lambda: Order.objects.prefetch_related("lines").get(merchant=lotus))
    expect(number).to_have_text(order.number)
    assert (order.delivery_method, order.region_code, order.customer_name) == ("express", "440305", "张三")
    assert [(line.sku, line.quantity, str(line.unit_price)) for line in order.lines.all()] == [
        ("TEA-GREEN", 2, "39.90")
    ]
    assert str(order.total) == "79.80"

    # "New order" is focused: Enter starts the next sale, and the price is remembered in this tab
    expect(page.get_by_role("link", name="New order")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/channels/store/new/")
    expect(search).to_be_focused()
    page.keyboard.type(BARCODE)
    page.keyboard.press("Enter")
    expect(page.locator("[data-line] [name=line_unit_price]")).to_have_value("39.90")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    context.close()
