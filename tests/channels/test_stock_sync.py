"""Stock sync to channels: stock changes mark the selling channels, the sweep pushes each mark once through
the adapter (bursts coalesced, share and buffer applied), failures stay marked with a backoff, lost tasks and
concurrent sweeps are harmless, tenants never touch each other, and the channel page shows and edits it all.

Stock changes go through the inventory ledger service (``stock_adjust``), whose ``stock.changed`` event runs
the channels' handler after commit; WooCommerce pushes go to the platform double over real HTTP.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from channels import stock_sync
from channels.adapters.registry import get_adapter
from channels.models import ChannelAccount, ChannelStatus, StockPushLog, StockPushMark
from channels.services import channel_create, channel_for_internal, channel_update, sku_mapping_set
from inventory.services.stock import stock_adjust
from oms.catalog.services import product_create
from oms.core.actors import Actor
from oms.locations.services import location_create
from oms.tenancy.models import Role
from tests.dashboard.conftest import client_for, make_member

CLERK = Actor.system("test")
PRODUCTS = "/wp-json/wc/v3/products"
ADDRESS = {"name": "仓库", "phone": "13800138000", "country": "CN", "province": "广东省", "city": "深圳市",
           "district": "南山区", "detail": "科技园 1 号"}  # fmt: skip


def make_stock(merchant, sku: str, units: int = 0, warehouse: str = "SZ1"):
    from oms.locations.models import Location

    if not Location.objects.filter(merchant=merchant, code=warehouse).exists():
        location_create(merchant=merchant, code=warehouse, name=warehouse, kind="warehouse", address=ADDRESS)
    product = product_create(merchant=merchant, sku=sku, title=sku)
    if units:
        stock_adjust(
            merchant=merchant, warehouse=warehouse, sku=sku, delta=units, kind="receipt", actor=CLERK
        )
    return product


def woo_channel(merchant, platform, name: str = "Woo shop", **settings) -> ChannelAccount:
    channel = channel_create(
        merchant=merchant,
        kind="woocommerce",
        name=name,
        config={"site_url": "https://shop.example.com", "consumer_key": "ck", "consumer_secret": "cs",
                "api_base_url": platform.url},
    )  # fmt: skip
    if settings:
        ChannelAccount.objects.filter(pk=channel.pk).update(**settings)
        channel.refresh_from_db()
    return channel


def woo_product(platform, sku: str, product_id: int) -> None:
    platform.add("GET", PRODUCTS, [{"id": product_id, "parent_id": 0, "type": "simple", "sku": sku}])
    platform.add("PUT", f"{PRODUCTS}/{product_id}", {"id": product_id})


def puts(platform) -> list[tuple[str, int]]:
    return [(r.path, r.json()["stock_quantity"]) for r in platform.requests if r.method == "PUT"]


def age_marks(seconds: float = 6) -> None:
    """Let the coalescing window (and any backoff) pass for every mark."""
    past = timezone.now() - timedelta(seconds=seconds)
    StockPushMark.objects.update(marked_at=past)
    StockPushMark.objects.exclude(retry_at=None).update(retry_at=past)


def marks(channel) -> dict[str, tuple[bool, int | None]]:
    return {
        mark.product.sku: (mark.needs_push, mark.last_quantity)
        for mark in StockPushMark.objects.filter(channel=channel).select_related("product")
    }


# --- arithmetic -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("available", "share", "buffer", "expected"),
    [
        (37, 100, 0, 37),
        (37, 60, 2, 20),  # 37 × 60 % = 22.2 → 22, less 2
        (37, 50, 0, 18),  # rounded down, never up
        (3, 100, 5, 0),  # never below zero
        (0, 100, 0, 0),
        (10, 0, 0, 0),
        (-4, 100, 0, 0),
        (99, 33, 1, 31),  # 32.67 → 32, less 1
    ],
)
def test_the_channel_figure_is_the_share_rounded_down_less_the_buffer(available, share, buffer, expected):
    assert stock_sync.channel_quantity(available, share_percent=share, buffer=buffer) == expected


# --- marking ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stock_change_marks_each_selling_channel_and_no_other(
    merchant, platform, django_capture_on_commit_callbacks
):
    woo = woo_channel(merchant, platform)
    sandbox = channel_create(merchant=merchant, kind="sandbox", name="Demo")
    paused = woo_channel(merchant, platform, name="Paused shop", status=ChannelStatus.PAUSED)
    off = woo_channel(merchant, platform, name="No stock sync", stock_sync_enabled=False)
    api = channel_for_internal(merchant=merchant, kind="api")
    product = make_stock(merchant, "TEE-RED-M")
    other = make_stock(merchant, "MUG")

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(
            merchant=merchant, warehouse="SZ1", sku="TEE-RED-M", delta=5, kind="receipt", actor=CLERK
        )

    found = set(StockPushMark.objects.values_list("channel_id", "product_id", "needs_push", "merchant_id"))
    assert found == {(woo.pk, product.pk, True, merchant.pk), (sandbox.pk, product.pk, True, merchant.pk)}
    assert not StockPushMark.objects.filter(channel__in=[paused, off, api]).exists()
    assert not StockPushMark.objects.filter(product=other).exists()


@pytest.mark.django_db
def test_another_merchants_stock_changes_never_mark_this_merchants_channels(
    merchant, rival, platform, django_capture_on_commit_callbacks
):
    ours = woo_channel(merchant, platform)
    theirs = woo_channel(rival, platform, name="Rival shop")
    our_product = make_stock(merchant, "TEE")
    make_stock(rival, "TEE")

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(merchant=rival, warehouse="SZ1", sku="TEE", delta=9, kind="receipt", actor=CLERK)
    # an event naming our product under the rival merchant marks nothing either
    stock_sync.stock_changed_mark(merchant_id=rival.pk, product_ids=[str(our_product.pk), "not-a-uuid"])

    assert not StockPushMark.objects.filter(channel=ours).exists()
    assert list(StockPushMark.objects.values_list("channel_id", "merchant_id")) == [(theirs.pk, rival.pk)]


# --- pushing ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_burst_of_twenty_changes_is_one_push_of_the_shared_figure(
    merchant, platform, django_capture_on_commit_callbacks
):
    channel = woo_channel(merchant, platform, stock_share_percent=60, stock_buffer=2)
    make_stock(merchant, "TEE-RED-M")
    woo_product(platform, "TEE-RED-M", 501)

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(
            merchant=merchant, warehouse="SZ1", sku="TEE-RED-M", delta=18, kind="receipt", actor=CLERK
        )
    for _ in range(19):
        with django_capture_on_commit_callbacks(execute=True):
            stock_adjust(
                merchant=merchant, warehouse="SZ1", sku="TEE-RED-M", delta=1, kind="receipt", actor=CLERK
            )

    assert stock_sync.stock_push_sweep() == 0  # still inside the coalescing window: nothing goes out yet
    assert platform.requests == []
    age_marks()
    assert stock_sync.stock_push_sweep() == 1
    assert stock_sync.stock_push_sweep() == 0

    assert puts(platform) == [(f"{PRODUCTS}/501", 20)]  # 37 available × 60 % = 22.2 → 22, less 2
    log = StockPushLog.objects.get(channel=channel)
    assert (log.sku, log.channel_sku, log.available, log.quantity, log.status, log.error, log.detail) == (
        "TEE-RED-M",
        "TEE-RED-M",
        37,
        20,
        "ok",
        "",
        "products/501",
    )
    assert marks(channel) == {"TEE-RED-M": (False, 20)}


@pytest.mark.django_db
def test_a_failing_push_stays_marked_with_its_error_and_the_next_sweep_succeeds(merchant, platform):
    channel = woo_channel(merchant, platform)
    product = make_stock(merchant, "MUG", units=8)
    platform.add("GET", PRODUCTS, [{"id": 77, "parent_id": 0, "type": "simple", "sku": "MUG"}])
    platform.add("PUT", f"{PRODUCTS}/77", {"code": "internal_server_error"}, status=500)
    platform.add("PUT", f"{PRODUCTS}/77", {"id": 77})
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    age_marks()

    stock_sync.stock_push_sweep()

    mark = StockPushMark.objects.get(channel=channel, product=product)
    assert (mark.needs_push, mark.attempts, mark.last_error, mark.last_quantity, mark.claimed_until) == (
        True,
        1,
        "RetryableError: WooCommerce error 500",
        None,
        None,
    )
    assert mark.retry_at > timezone.now() + timedelta(seconds=25)
    assert stock_sync.stock_push_sweep() == 0  # backing off: not due yet
    age_marks()

    assert stock_sync.stock_push_sweep() == 1

    mark.refresh_from_db()
    assert (mark.needs_push, mark.attempts, mark.last_error, mark.last_quantity, mark.retry_at) == (
        False,
        0,
        "",
        8,
        None,
    )
    assert list(StockPushLog.objects.order_by("at").values_list("status", "quantity", "error")) == [
        ("error", 8, "RetryableError: WooCommerce error 500"),
        ("ok", 8, ""),
    ]
    assert puts(platform) == [(f"{PRODUCTS}/77", 8), (f"{PRODUCTS}/77", 8)]


@pytest.mark.django_db
def test_marks_left_by_a_lost_task_are_pushed_by_the_next_sweep(merchant, platform):
    woo_channel(merchant, platform)
    product = make_stock(merchant, "MUG", units=3)
    woo_product(platform, "MUG", 12)
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])  # and then nothing ran
    StockPushMark.objects.update(marked_at=timezone.now() - timedelta(hours=2))

    assert stock_sync.stock_push_sweep() == 1
    assert puts(platform) == [(f"{PRODUCTS}/12", 3)]


@pytest.mark.django_db
def test_a_claim_whose_worker_died_is_taken_again_when_it_expires(merchant, platform):
    channel = woo_channel(merchant, platform)
    product = make_stock(merchant, "MUG", units=4)
    woo_product(platform, "MUG", 12)
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    age_marks()
    claim = stock_sync.stock_push_claim()  # the worker took it, then died before pushing
    assert claim is not None
    assert stock_sync.stock_push_sweep() == 0  # claimed: nobody else pushes it

    StockPushMark.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert stock_sync.stock_push_sweep() == 1

    assert puts(platform) == [(f"{PRODUCTS}/12", 4)]
    assert marks(channel) == {"MUG": (False, 4)}
    assert stock_sync._release(claim) is False  # the dead worker's late release changes nothing


@pytest.mark.django_db
def test_a_stock_event_lost_before_marking_is_found_by_the_reconcile(merchant, platform):
    channel = woo_channel(merchant, platform, stock_buffer=1)
    make_stock(merchant, "MUG")
    woo_product(platform, "MUG", 12)
    stock_adjust(
        merchant=merchant, warehouse="SZ1", sku="MUG", delta=6, kind="receipt", actor=CLERK
    )  # no event ran
    assert not StockPushMark.objects.exists()

    assert stock_sync.stock_reconcile() == 1
    age_marks()
    stock_sync.stock_push_sweep()
    assert puts(platform) == [(f"{PRODUCTS}/12", 5)]

    assert stock_sync.stock_reconcile() == 0  # the channel shows what it should: nothing to mark
    stock_adjust(merchant=merchant, warehouse="SZ1", sku="MUG", delta=-2, kind="adjustment", actor=CLERK)
    assert stock_sync.stock_reconcile() == 1
    assert marks(channel) == {"MUG": (True, 5)}


@pytest.mark.django_db
def test_a_figure_already_pushed_within_the_hour_is_skipped_and_an_older_one_sent_again(merchant, platform):
    channel = woo_channel(merchant, platform)
    product = make_stock(merchant, "MUG", units=5)
    woo_product(platform, "MUG", 12)
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    age_marks()
    stock_sync.stock_push_sweep()

    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])  # the same figure again
    age_marks()
    stock_sync.stock_push_sweep()
    assert puts(platform) == [(f"{PRODUCTS}/12", 5)]
    assert list(StockPushLog.objects.order_by("at").values_list("status", "detail")) == [
        ("ok", "products/12"),
        ("skipped", "unchanged since the last push"),
    ]

    StockPushMark.objects.update(pushed_at=timezone.now() - timedelta(hours=1, minutes=1))
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    age_marks()
    stock_sync.stock_push_sweep()
    assert puts(platform) == [(f"{PRODUCTS}/12", 5), (f"{PRODUCTS}/12", 5)]
    assert marks(channel) == {"MUG": (False, 5)}


@pytest.mark.django_db
def test_a_mark_changed_during_its_push_is_pushed_again_by_the_next_sweep(merchant, monkeypatch):
    channel = channel_create(merchant=merchant, kind="sandbox", name="Demo")
    product = make_stock(merchant, "MUG", units=5)
    sandbox = get_adapter("sandbox")
    pushed = []

    def push_while_stock_changes(account, code, quantity):
        pushed.append(quantity)
        if len(pushed) == 1:
            stock_adjust(merchant=merchant, warehouse="SZ1", sku="MUG", delta=2, kind="receipt", actor=CLERK)
            stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
        return "recorded"

    monkeypatch.setattr(sandbox, "push_stock", push_while_stock_changes)
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    age_marks()

    assert stock_sync.stock_push_sweep() == 1  # the new mark is not due while its window runs
    assert marks(channel) == {"MUG": (True, 5)}
    age_marks()
    assert stock_sync.stock_push_sweep() == 1

    assert pushed == [5, 7]
    assert marks(channel) == {"MUG": (False, 7)}


@pytest.mark.django_db
def test_sku_mappings_name_the_channel_codes(merchant, platform):
    channel = woo_channel(merchant, platform)
    product = make_stock(merchant, "TEE-RED-M", units=4)
    sku_mapping_set(merchant=merchant, channel=channel, channel_sku="WOO-TEE-R-M", sku="TEE-RED-M")
    sku_mapping_set(merchant=merchant, channel=channel, channel_sku="WOO-TEE-RED-M-OLD", sku="TEE-RED-M")
    platform.add(
        "GET",
        PRODUCTS,
        [
            {"id": 1, "parent_id": 0, "type": "simple", "sku": "WOO-TEE-R-M"},
            {"id": 2, "parent_id": 0, "type": "simple", "sku": "WOO-TEE-RED-M-OLD"},
        ],
    )
    platform.add("PUT", f"{PRODUCTS}/1", {"id": 1})
    platform.add("PUT", f"{PRODUCTS}/2", {"id": 2})
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    age_marks()

    stock_sync.stock_push_sweep()

    lookups = [r.query["sku"][0] for r in platform.requests if r.method == "GET"]
    assert lookups == ["WOO-TEE-R-M", "WOO-TEE-RED-M-OLD"]
    assert puts(platform) == [(f"{PRODUCTS}/1", 4), (f"{PRODUCTS}/2", 4)]
    assert list(StockPushLog.objects.order_by("channel_sku").values_list("channel_sku", "status")) == [
        ("WOO-TEE-R-M", "ok"),
        ("WOO-TEE-RED-M-OLD", "ok"),
    ]


@pytest.mark.django_db
def test_a_paused_channel_keeps_its_marks_until_it_is_resumed(merchant, platform):
    channel = woo_channel(merchant, platform)
    product = make_stock(merchant, "MUG", units=2)
    woo_product(platform, "MUG", 12)
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    channel_update(channel=channel, status=ChannelStatus.PAUSED)
    age_marks()

    assert stock_sync.stock_push_sweep() == 0
    channel_update(channel=channel, status=ChannelStatus.ACTIVE)
    assert stock_sync.stock_push_sweep() == 1
    assert puts(platform) == [(f"{PRODUCTS}/12", 2)]


@pytest.mark.django_db
def test_no_stock_reader_means_no_push_of_a_made_up_zero(merchant, monkeypatch):
    channel = channel_create(merchant=merchant, kind="sandbox", name="Demo")
    product = make_stock(merchant, "MUG", units=2)
    monkeypatch.setattr("oms.catalog.availability._reader", None)
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    age_marks()

    stock_sync.stock_push_sweep()

    mark = StockPushMark.objects.get(channel=channel)
    assert (mark.needs_push, mark.last_quantity) == (True, None)
    assert "inventory reader" in mark.last_error
    assert list(StockPushLog.objects.values_list("status", flat=True)) == ["error"]


# --- two sweeps at once -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_never_push_the_same_mark_twice(merchant, platform):
    channel = woo_channel(merchant, platform)
    handler = platform.server.RequestHandlerClass
    serve = handler.do_PUT

    def slow_put(self):
        threading.Event().wait(0.03)  # a platform that takes its time: the sweeps overlap
        serve(self)

    handler.do_PUT = slow_put
    skus = [f"SKU-{n}" for n in range(8)]
    products = [make_stock(merchant, sku, units=n + 1) for n, sku in enumerate(skus)]
    for n in range(len(skus)):
        platform.add("PUT", f"{PRODUCTS}/{100 + n}", {"id": 100 + n})
    platform.add(
        "GET",
        PRODUCTS,
        [{"id": 100 + n, "parent_id": 0, "type": "simple", "sku": sku} for n, sku in enumerate(skus)],
    )
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[p.pk for p in products])
    age_marks()
    start = threading.Barrier(2)
    handled = []

    def sweep():
        try:
            start.wait()
            handled.append(stock_sync.stock_push_sweep())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum(handled) == 8
    assert sorted(puts(platform)) == sorted((f"{PRODUCTS}/{100 + n}", n + 1) for n in range(8))
    assert StockPushLog.objects.filter(status="ok").count() == 8
    assert marks(channel) == {sku: (False, n + 1) for n, sku in enumerate(skus)}


# --- the channel page -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_channel_page_shows_the_last_pushes(owner_client, merchant, platform):
    channel = woo_channel(merchant, platform)
    product = make_stock(merchant, "MUG")
    for n in range(55):
        StockPushLog.objects.create(
            merchant=merchant, channel=channel, product=product, sku="MUG", channel_sku=f"WOO-{n:02d}",
            quantity=n, available=n, status="ok", detail=f"products/{n}",
            at=timezone.now() + timedelta(seconds=n),
        )  # fmt: skip
    StockPushLog.objects.create(
        merchant=merchant, channel=channel, sku="MUG", channel_sku="WOO-ERR", quantity=1, status="error",
        error="PermanentError: no WooCommerce product or variation has the SKU 'MUG'",
        at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip

    response = owner_client.get(reverse("channels:detail", args=[channel.pk]))

    assert response.status_code == 200
    pushes = list(response.context["stock"]["pushes"])
    assert len(pushes) == 50
    assert [push.channel_sku for push in pushes[:3]] == ["WOO-ERR", "WOO-54", "WOO-53"]
    page = response.content.decode()
    assert "no WooCommerce product or variation has the SKU" in page
    assert "WOO-06" in page and "WOO-05" not in page
    assert 'name="stock-stock_share_percent"' in page


@pytest.mark.django_db
def test_saving_the_stock_settings_stores_them_and_marks_every_product(owner_client, merchant, platform):
    channel = woo_channel(merchant, platform)
    make_stock(merchant, "MUG")
    make_stock(merchant, "TEE")
    url = reverse("channels:detail", args=[channel.pk])

    response = owner_client.post(
        url,
        {"stock-stock_sync_enabled": "on", "stock-stock_share_percent": "80", "stock-stock_buffer": "3"},
    )

    assert response.status_code == 302
    assert response["Location"] == url + "#stock-sync"
    channel.refresh_from_db()
    assert (channel.stock_sync_enabled, channel.stock_share_percent, channel.stock_buffer) == (True, 80, 3)
    assert marks(channel) == {"MUG": (True, None), "TEE": (True, None)}


@pytest.mark.django_db
def test_turning_stock_sync_off_stops_the_pushes(owner_client, merchant, platform):
    channel = woo_channel(merchant, platform)
    product = make_stock(merchant, "MUG", units=3)
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])  # waiting already

    owner_client.post(
        reverse("channels:detail", args=[channel.pk]),
        {"stock-stock_share_percent": "100", "stock-stock_buffer": "0"},  # the box unticked
    )
    stock_sync.stock_changed_mark(merchant_id=merchant.pk, product_ids=[product.pk])
    age_marks()

    channel.refresh_from_db()
    assert channel.stock_sync_enabled is False
    assert stock_sync.stock_push_sweep() == 0
    assert platform.requests == []
    assert marks(channel) == {"MUG": (True, None)}  # pushed as soon as it is switched on again


@pytest.mark.parametrize(
    ("share", "buffer"),
    [("101", "0"), ("-1", "0"), ("50", "-2"), ("", "0"), ("abc", "0")],
)
@pytest.mark.django_db
def test_invalid_stock_settings_are_refused(owner_client, merchant, platform, share, buffer):
    channel = woo_channel(merchant, platform)

    response = owner_client.post(
        reverse("channels:detail", args=[channel.pk]),
        {"stock-stock_sync_enabled": "on", "stock-stock_share_percent": share, "stock-stock_buffer": buffer},
    )

    assert response.status_code == 400
    channel.refresh_from_db()
    assert (channel.stock_share_percent, channel.stock_buffer) == (100, 0)
    assert not StockPushMark.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.django_db
def test_another_merchants_channel_is_not_found(owner_client, rival, platform, method):
    theirs = woo_channel(rival, platform, name="Rival shop")

    response = getattr(owner_client, method)(
        reverse("channels:detail", args=[theirs.pk]),
        {"stock-stock_sync_enabled": "on", "stock-stock_share_percent": "10", "stock-stock_buffer": "0"},
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.stock_share_percent == 100


@pytest.mark.django_db
def test_a_viewer_sees_the_pushes_but_cannot_change_the_settings(merchant, platform):
    channel = woo_channel(merchant, platform)
    viewer = client_for(make_member(merchant, Role.VIEWER).user)
    url = reverse("channels:detail", args=[channel.pk])

    page = viewer.get(url)
    refused = viewer.post(url, {"stock-stock_share_percent": "10", "stock-stock_buffer": "0"})

    assert page.status_code == 200
    assert 'name="stock-stock_share_percent"' not in page.content.decode()
    assert refused.status_code == 403
    channel.refresh_from_db()
    assert channel.stock_share_percent == 100


@pytest.mark.django_db
def test_an_internal_source_has_no_stock_to_push(owner_client, merchant):
    api = channel_for_internal(merchant=merchant, kind="api")

    response = owner_client.get(reverse("channels:detail", args=[api.pk]))

    assert response.status_code == 200
    assert response.context["stock"]["capable"] is False
    assert "there is no stock level to push" in response.content.decode()
    assert 'name="stock-stock_share_percent"' not in response.content.decode()
