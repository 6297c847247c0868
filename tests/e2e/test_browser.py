"""The dashboard in a real headless Chromium: sign up, log out, log in, see the orders, on a phone too."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from oms.tenancy.models import Membership
from oms.tenancy.services import merchant_signup
from tests.conftest import PASSWORD
from tests.dashboard.conftest import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
EMAIL = "founder@lotus-tea.test"


def orm_call(work, *args, **kwargs):
    """ORM work inside the Playwright block opens its own connection (another context); close it after.

    Left open, it keeps the test database in use and pytest-django cannot drop it.
    """
    try:
        return work(*args, **kwargs)
    finally:
        connections.close_all()


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; the ORM may run beside it, here only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def lotus(live_server):
    merchant, _ = merchant_signup(company="Lotus Tea", email=EMAIL, password=PASSWORD)
    return merchant


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/orders/")


def test_signup_logout_login_and_see_the_orders(live_server, browser):
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Company name").fill("Lotus Tea")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{live_server.url}/orders/")
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    expect(page.get_by_text("No orders yet.")).to_be_visible()

    page.get_by_text(EMAIL).click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    merchant = orm_call(lambda: Membership.objects.get(user__email=EMAIL).merchant)
    order = orm_call(make_order, merchant, external_number="LOTUS-1", customer="Han Meimei")
    log_in(page, live_server.url)

    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    expect(page.get_by_role("link", name=order.number)).to_be_visible()
    expect(page.get_by_text("Han Meimei")).to_be_visible()
    expect(page.locator(".brand")).to_have_text("Lotus Tea")
    page.close()


def test_filtering_by_status_reloads_only_the_rows(live_server, lotus, browser):
    orm_call(make_order, lotus, external_number="LOTUS-NEW", customer="Han Meimei")
    orm_call(make_order, lotus, external_number="LOTUS-HELD", customer="Zhang Wei", hold=True)
    page = browser.new_page()
    log_in(page, live_server.url)
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Status").select_option("on_hold")

    expect(page.get_by_text("Han Meimei")).to_have_count(0)
    expect(page.get_by_text("Zhang Wei")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/orders/?")
    assert "status=on_hold" in page.url
    assert page.evaluate("window.notReloaded") is True
    page.close()


def test_phone_menu_opens_and_shows_the_navigation(live_server, lotus, browser):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url)
    orders_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(orders_link).to_be_hidden()

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(orders_link).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels").click()
    page.wait_for_url(f"{live_server.url}/channels/")
    expect(page.get_by_role("heading", name="Channels")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
