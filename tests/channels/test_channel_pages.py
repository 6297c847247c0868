"""Channel pages: health, connecting per platform, sync/pause, inbound events and replay, SKU mappings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from channels import intake
from channels.forms import PLATFORM_FORMS
from channels.models import ChannelAccount, ChannelStatus, ImportJob, InboundEvent, InboundStatus, SkuMapping
from channels.services import channel_create, sku_mapping_set
from oms.catalog.services import product_create
from oms.orders.models import Order, OrderIssue
from oms.tenancy.models import Role
from tests.dashboard.conftest import client_for, make_member, make_order

pytestmark = pytest.mark.django_db


def sandbox_page(*orders: dict) -> bytes:
    return json.dumps({"orders": list(orders), "serial": 1}, ensure_ascii=False).encode()


def sandbox_order(external_id: str = "SBX-1", sku: str = "CH-RED") -> dict:
    return {
        "id": external_id,
        "created": "2026-11-11T09:00:00+08:00",
        "updated": "2026-11-11T10:00:00+08:00",
        "status": "paid",
        "buyer": {"first_name": "丽", "last_name": "张", "mobile": "13800138000"},
        "address": {
            "province": "广东省",
            "city": "深圳市",
            "district": "南山区",
            "street": "科技园南区 8 栋",
        },
        "items": [{"sku": sku, "title": "Red tee", "qty": 2, "price": "39.00"}],
        "shipping": "8.00",
    }


def store_event(channel, body: bytes, *, status=InboundStatus.RECEIVED, **fields) -> InboundEvent:
    return InboundEvent.objects.create(
        merchant=channel.merchant,
        channel=channel,
        source=fields.pop("source", "sandbox"),
        body=body,
        status=status,
        received_at=fields.pop("received_at", timezone.now()),
        **fields,
    )


@pytest.fixture
def sandbox(merchant):
    return channel_create(merchant=merchant, kind="sandbox", name="Demo shop", config={"orders_per_poll": 2})


@pytest.fixture
def shopify(merchant):
    return channel_create(
        merchant=merchant,
        kind="shopify",
        name="Acme Shopify",
        config={"shop_domain": "acme.myshopify.com", "access_token": "shpat_secret_token"},
        webhook_secret="shpss_client_secret",
    )


# --- list and health ---------------------------------------------------------------------------------------


def test_list_counts_the_last_24_hours_of_events_by_status(owner_client, sandbox, shopify):
    for status in ("processed", "processed", "failed", "rejected"):
        store_event(sandbox, b"{}", status=status)
    store_event(sandbox, b"{}", status="failed", received_at=timezone.now() - timedelta(hours=25))
    store_event(shopify, b"{}", status="duplicate")

    response = owner_client.get(reverse("channels:list"))

    rows = {channel.name: channel for channel in response.context["channels"]}
    counts = {name: tuple(getattr(rows[name], f"events_{s}") for s in InboundStatus.values) for name in rows}
    assert counts == {"Demo shop": (0, 2, 0, 1, 1), "Acme Shopify": (0, 0, 1, 0, 0)}
    html = response.content.decode()
    assert f"?channel={sandbox.pk}&amp;status=failed" in html


def test_list_reads_health_in_one_query_whatever_the_number_of_channels(owner_client, merchant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("channels:list")).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    channel = channel_create(merchant=merchant, kind="sandbox", name="Shop 0")
    store_event(channel, b"{}", status="processed")
    one = queries()
    for index in range(1, 6):
        channel = channel_create(merchant=merchant, kind="sandbox", name=f"Shop {index}")
        store_event(channel, b"{}", status="failed")
    six = queries()

    assert len(six) == len(one)
    assert sum("channels_inboundevent" in sql for sql in six) == 1


# --- connecting --------------------------------------------------------------------------------------------


EXPECTED_FIELDS = {
    "shopify": {"shop_domain", "access_token", "api_version", "webhook_secret"},
    "woocommerce": {"site_url", "consumer_key", "consumer_secret", "webhook_secret"},
    "bigcommerce": {"store_hash", "access_token", "client_secret", "webhook_secret"},
    "amazon": {
        "seller_id",
        "marketplace_id",
        "region",
        "refresh_token",
        "client_id",
        "client_secret",
    },
    "taobao": {"app_key", "app_secret", "session"},
    "jd": {"app_key", "app_secret", "access_token"},
    "pinduoduo": {"client_id", "client_secret", "access_token"},
    "douyin": {"app_key", "app_secret", "access_token", "shop_id"},
    "youzan": {"client_id", "client_secret", "grant_id", "access_token"},
    "sandbox": {"orders_per_poll"},
}


@pytest.mark.parametrize("kind", sorted(EXPECTED_FIELDS))
def test_each_platform_asks_for_its_own_credential_names(owner_client, kind):
    response = owner_client.get(reverse("channels:create"), {"kind": kind}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.templates[0].name == "channels/_credential_fields.html"
    fields = set(response.context["form"].fields) - {"kind", "name", "config"}
    assert fields == EXPECTED_FIELDS[kind] | {"api_base_url"}
    for name in EXPECTED_FIELDS[kind]:
        assert f'name="{name}"' in html
    assert set(PLATFORM_FORMS) == set(EXPECTED_FIELDS)


def test_connecting_stores_credentials_encrypted_and_shows_only_which_are_set(owner_client, merchant):
    response = owner_client.post(
        reverse("channels:create"),
        {
            "kind": "woocommerce",
            "name": "Acme Woo",
            "site_url": "https://shop.acme.test",
            "consumer_key": "ck_1234",
            "consumer_secret": "cs_very_secret",
            "webhook_secret": "whsec_woo",
            "api_base_url": "http://127.0.0.1:9999",
        },
    )

    channel = ChannelAccount.objects.get(merchant=merchant, name="Acme Woo")
    assert response.status_code == 302
    assert channel.config == {
        "site_url": "https://shop.acme.test",
        "consumer_key": "ck_1234",
        "consumer_secret": "cs_very_secret",
        "api_base_url": "http://127.0.0.1:9999",
    }
    assert channel.webhook_secret == "whsec_woo"
    assert "cs_very_secret" not in channel.config_encrypted
    assert "whsec_woo" not in channel.webhook_secret_encrypted
    html = owner_client.get(response.url).content.decode()
    assert f"http://testserver/webhooks/woocommerce/{channel.webhook_token}/" in html
    assert "data-copy=" in html
    for secret in ("cs_very_secret", "whsec_woo", "ck_1234", "shop.acme.test"):
        assert secret not in html
    assert "<code>consumer_secret</code>" in html


def test_a_refused_connect_form_never_renders_secrets_back(owner_client, merchant):
    response = owner_client.post(
        reverse("channels:create"),
        {
            "kind": "taobao",
            "name": "",
            "app_key": "12345",
            "app_secret": "tb_secret",
            "session": "sess_secret",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    html = response.content.decode()
    assert "tb_secret" not in html
    assert "sess_secret" not in html
    assert not ChannelAccount.objects.filter(merchant=merchant, kind="taobao").exists()


def test_detail_names_the_settings_still_missing(owner_client, merchant):
    channel = channel_create(merchant=merchant, kind="jd", name="Acme JD", config={"app_key": "k"})

    html = owner_client.get(reverse("channels:detail", args=[channel.pk])).content.decode()

    assert "<code>app_secret</code>, <code>access_token</code>" in html


def test_credentials_page_replaces_typed_values_keeps_empty_ones_and_removes_ticked(owner_client, shopify):
    url = reverse("channels:credentials", args=[shopify.pk])
    page = owner_client.get(url).content.decode()
    assert "shpat_secret_token" not in page
    assert "shpss_client_secret" not in page

    response = owner_client.post(
        url, {"access_token": "shpat_new", "api_version": "", "remove": ["shop_domain"]}
    )

    shopify.refresh_from_db()
    assert response.status_code == 302
    assert shopify.config == {"access_token": "shpat_new"}
    assert shopify.webhook_secret == "shpss_client_secret"


# --- sync, pause, resume -----------------------------------------------------------------------------------


def test_sync_now_polls_a_polled_channel_at_once(owner_client, merchant, sandbox):
    product_create(merchant=merchant, sku="TEA-1", title="Tea")

    response = owner_client.post(reverse("channels:sync", args=[sandbox.pk]))

    sandbox.refresh_from_db()
    assert response.status_code == 302
    assert sandbox.last_sync_at is not None
    assert Order.objects.filter(merchant=merchant, channel=sandbox).count() == 2
    assert InboundEvent.objects.filter(channel=sandbox, status="processed").count() == 1


def test_sync_is_refused_for_a_paused_channel(owner_client, merchant, sandbox):
    owner_client.post(reverse("channels:pause", args=[sandbox.pk]))

    response = owner_client.post(reverse("channels:sync", args=[sandbox.pk]), follow=True)

    sandbox.refresh_from_db()
    assert sandbox.status == ChannelStatus.PAUSED
    assert sandbox.last_sync_at is None
    assert "The channel is paused; resume it first." in response.content.decode()
    owner_client.post(reverse("channels:resume", args=[sandbox.pk]))
    sandbox.refresh_from_db()
    assert sandbox.status == ChannelStatus.ACTIVE


def test_detail_offers_sync_for_polled_and_the_webhook_url_for_pushed_channels(owner_client, sandbox):
    polled = owner_client.get(reverse("channels:detail", args=[sandbox.pk])).content.decode()

    assert reverse("channels:sync", args=[sandbox.pk]) in polled
    assert "webhook-url" not in polled


# --- inbound events ----------------------------------------------------------------------------------------


def test_events_filter_by_channel_status_and_source_and_link_their_orders(
    owner_client, merchant, sandbox, shopify
):
    order = make_order(merchant, external_number="ACME-1")
    done = store_event(sandbox, b"{}", status="processed", order_ids=[str(order.pk)])
    failed = store_event(sandbox, b"nope", status="failed", error="not readable: boom")
    webhook = store_event(shopify, b"{}", status="rejected", source="webhook")
    url = reverse("channels:events")

    def shown(params):
        return [event.pk for event, _orders in owner_client.get(url, params).context["rows"]]

    assert set(shown({})) == {done.pk, failed.pk, webhook.pk}
    assert shown({"status": "failed"}) == [failed.pk]
    assert shown({"source": "webhook"}) == [webhook.pk]
    assert set(shown({"channel": sandbox.pk})) == {done.pk, failed.pk}
    html = owner_client.get(url, {"status": "processed"}).content.decode()
    assert reverse("orders:detail", args=[order.pk]) in html and order.number in html
    partial = owner_client.get(url, {"status": "failed"}, HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "channels/_event_rows.html"
    assert "not readable: boom" in partial.content.decode()


def test_event_detail_shows_headers_and_pretty_json(owner_client, sandbox):
    event = store_event(
        sandbox, b'{"orders":[],"note":"\xe4\xbd\xa0\xe5\xa5\xbd"}', headers={"x-oms-cursor": "{}"}
    )

    html = owner_client.get(reverse("channels:event_detail", args=[event.pk])).content.decode()

    assert "{\n  &quot;orders&quot;: [],\n  &quot;note&quot;: &quot;你好&quot;\n}" in html
    assert "<code>x-oms-cursor</code>" in html


def test_replay_processes_a_failed_event_again(owner_client, merchant, sandbox):
    product_create(merchant=merchant, sku="CH-RED", title="Red tee")
    event = store_event(sandbox, sandbox_page(sandbox_order()), status="failed", error="worker crashed")

    response = owner_client.post(reverse("channels:event_replay", args=[event.pk]))

    event.refresh_from_db()
    assert response.url == reverse("channels:event_detail", args=[event.pk])
    assert (event.status, event.error) == (InboundStatus.PROCESSED, "")
    assert Order.objects.get(pk=event.order_ids[0]).external_id == "SBX-1"


def test_replay_of_an_unreadable_event_keeps_it_failed_and_says_why(owner_client, sandbox):
    event = store_event(sandbox, b"not json", status="failed")

    response = owner_client.post(reverse("channels:event_replay", args=[event.pk]), follow=True)

    event.refresh_from_db()
    assert event.status == InboundStatus.FAILED
    assert event.attempts == 1
    assert "Replayed: Failed." in response.content.decode()


def test_replaying_an_imported_file_starts_a_new_import(
    owner_client, merchant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("channels:import"), {"file": csv_upload()})
    event = InboundEvent.objects.get(merchant=merchant, source="import")

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("channels:event_replay", args=[event.pk]))

    jobs = ImportJob.objects.filter(inbound_event=event).order_by("created_at")
    assert [job.status for job in jobs] == ["done", "done"]
    assert response.url == reverse("channels:import_detail", args=[jobs.last().pk])
    assert Order.objects.filter(merchant=merchant, external_id="CSV-1").count() == 1


def csv_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"external_id,sku,quantity,unit_price\nCSV-1,TEA-1,1,9.90\n"
    return SimpleUploadedFile("orders.csv", content, content_type="text/csv")


# --- SKU mappings ------------------------------------------------------------------------------------------


@pytest.fixture
def unknown_sku_order(merchant, sandbox):
    """A sandbox order whose channel SKU CH-RED matches no product: it carries an unknown_sku issue."""
    product_create(merchant=merchant, sku="TSHIRT-RED-M", title="T-shirt red M")
    event = intake.inbound_event_process(event_id=store_event(sandbox, sandbox_page(sandbox_order())).pk)
    order = Order.objects.get(pk=event.order_ids[0])
    assert list(order.issues.values_list("code", flat=True)) == ["unknown_sku"]
    return order


def test_unmapped_channel_skus_lists_codes_of_open_orders_with_unknown_sku(
    owner_client, unknown_sku_order, sandbox
):
    response = owner_client.get(reverse("channels:mappings"))

    assert [
        (row["order__channel_id"], row["code"], row["orders"]) for row in response.context["unmapped"]
    ] == [(sandbox.pk, "CH-RED", 1)]


def test_mapping_then_replay_gives_the_order_its_sku_and_clears_the_issue(
    owner_client, unknown_sku_order, sandbox
):
    response = owner_client.post(
        reverse("channels:mappings"), {"channel": sandbox.pk, "channel_sku": "CH-RED", "sku": "TSHIRT-RED-M"}
    )
    mapping = SkuMapping.objects.get(channel=sandbox, channel_sku="CH-RED")
    assert mapping.sku == "TSHIRT-RED-M"
    offer = owner_client.get(response.url)
    assert offer.context["replay_offer"]["orders"] == 1
    assert offer.context["replay_offer"]["events"] == 1
    assert "Replay affected events" in offer.content.decode()

    done = owner_client.post(
        reverse("channels:mapping_replay"), {"channel": sandbox.pk, "channel_sku": "CH-RED"}, follow=True
    )

    line = unknown_sku_order.lines.get()
    assert (line.sku, line.channel_sku, line.product.sku) == ("TSHIRT-RED-M", "CH-RED", "TSHIRT-RED-M")
    assert not OrderIssue.objects.filter(order=unknown_sku_order, resolved_at__isnull=True).exists()
    assert "1 events replayed; 1 of 1 orders now have their SKU." in done.content.decode()
    assert done.context["unmapped"] == []


def test_mapping_onto_an_unknown_sku_is_refused(owner_client, merchant, sandbox):
    response = owner_client.post(
        reverse("channels:mappings"), {"channel": sandbox.pk, "channel_sku": "CH-1", "sku": "NOPE"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["sku"] == ["There is no product with the SKU NOPE."]
    assert not SkuMapping.objects.filter(merchant=merchant).exists()


def test_deleting_a_mapping(owner_client, merchant, sandbox):
    product_create(merchant=merchant, sku="A", title="A")
    mapping = sku_mapping_set(merchant=merchant, channel=sandbox, channel_sku="X", sku="A")

    owner_client.post(reverse("channels:mapping_delete", args=[mapping.pk]))

    assert not SkuMapping.objects.filter(pk=mapping.pk).exists()


def test_mapping_a_rival_channel_is_refused(owner_client, merchant, rival):
    product_create(merchant=merchant, sku="A", title="A")
    foreign = channel_create(merchant=rival, kind="sandbox", name="Rival")

    response = owner_client.post(
        reverse("channels:mappings"), {"channel": foreign.pk, "channel_sku": "X", "sku": "A"}
    )

    assert "channel" in response.context["form"].errors
    assert not SkuMapping.objects.exists()


# --- roles -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.WAREHOUSE, Role.CLERK])
def test_only_owners_and_managers_change_channels(
    merchant, role, shopify, sandbox, django_capture_on_commit_callbacks
):
    product_create(merchant=merchant, sku="A", title="A")
    member = make_member(merchant, role, store=_store(merchant) if role == Role.CLERK else None)
    client = client_for(member.user)
    mapping = sku_mapping_set(merchant=merchant, channel=sandbox, channel_sku="X", sku="A")
    event = store_event(sandbox, b"{}", status="failed")
    before = (model_to_dict(shopify), model_to_dict(event), model_to_dict(mapping))
    posts = [
        (reverse("channels:create"), {"kind": "shopify", "name": "Mine"}),
        (reverse("channels:credentials", args=[shopify.pk]), {"access_token": "stolen"}),
        (reverse("channels:sync", args=[sandbox.pk]), {}),
        (reverse("channels:pause", args=[shopify.pk]), {}),
        (reverse("channels:resume", args=[shopify.pk]), {}),
        (reverse("channels:event_replay", args=[event.pk]), {}),
        (reverse("channels:mappings"), {"channel": sandbox.pk, "channel_sku": "Y", "sku": "A"}),
        (reverse("channels:mapping_delete", args=[mapping.pk]), {}),
        (reverse("channels:mapping_replay"), {"channel": sandbox.pk, "channel_sku": "X"}),
        (reverse("channels:import"), {"file": csv_upload()}),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(url, data).status_code for url, data in posts]

    assert statuses == [403] * len(posts)
    assert (
        model_to_dict(ChannelAccount.objects.get(pk=shopify.pk)),
        model_to_dict(InboundEvent.objects.get(pk=event.pk)),
        model_to_dict(SkuMapping.objects.get(pk=mapping.pk)),
    ) == before
    assert SkuMapping.objects.filter(merchant=merchant).count() == 1
    assert not ImportJob.objects.exists()
    assert not Order.objects.exists()
    for url in (reverse("channels:list"), reverse("channels:events"), reverse("channels:mappings")):
        assert client.get(url).status_code == 200
    page = client.get(reverse("channels:event_detail", args=[event.pk])).content.decode()
    assert reverse("channels:event_replay", args=[event.pk]) not in page


def _store(merchant):
    from tests.dashboard.conftest import make_store

    return make_store(merchant, "ROLE-S")


# --- isolation ---------------------------------------------------------------------------------------------


@pytest.fixture
def acme_rows(merchant, sandbox, django_capture_on_commit_callbacks, owner_client):
    product_create(merchant=merchant, sku="A", title="A")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("channels:import"), {"file": csv_upload()})
    return {
        "channel": sandbox,
        "event": store_event(sandbox, sandbox_page(sandbox_order()), status="failed"),
        "mapping": sku_mapping_set(merchant=merchant, channel=sandbox, channel_sku="X", sku="A"),
        "job": ImportJob.objects.get(merchant=merchant),
        "order": make_order(merchant, external_number="ACME-1"),
    }


URLS = [
    ("get", "channels:detail", "channel", {}),
    ("get", "channels:credentials", "channel", {}),
    ("post", "channels:credentials", "channel", {"access_token": "stolen"}),
    ("post", "channels:sync", "channel", {}),
    ("post", "channels:pause", "channel", {}),
    ("post", "channels:resume", "channel", {}),
    ("get", "channels:event_detail", "event", {}),
    ("get", "channels:event_body", "event", {}),
    ("post", "channels:event_replay", "event", {}),
    ("post", "channels:mapping_delete", "mapping", {}),
    ("get", "channels:import_detail", "job", {}),
    ("get", "channels:store_order_done", "order", {}),
]


@pytest.mark.parametrize(("method", "name", "row", "data"), URLS, ids=[f"{m} {n}" for m, n, _, _ in URLS])
def test_another_merchants_ids_are_404_and_change_nothing(rival_client, acme_rows, method, name, row, data):
    target = acme_rows[row]
    before = model_to_dict(type(target).objects.get(pk=target.pk))
    events, orders = InboundEvent.objects.count(), Order.objects.count()

    response = getattr(rival_client, method)(reverse(name, args=[target.pk]), data)

    assert response.status_code == 404
    assert model_to_dict(type(target).objects.get(pk=target.pk)) == before
    assert (InboundEvent.objects.count(), Order.objects.count()) == (events, orders)
    assert ImportJob.objects.count() == 1


def test_rival_rows_never_show_on_channel_pages(rival_client, acme_rows, merchant):
    urls = [reverse("channels:events"), reverse("channels:mappings"), reverse("channels:import")]

    for url in urls:
        html = rival_client.get(url).content.decode()
        assert "Demo shop" not in html and "orders.csv" not in html, url
    rival_client.get(reverse("channels:events"), {"channel": acme_rows["channel"].pk})
    assert (
        rival_client.get(reverse("channels:mappings"), {"channel": acme_rows["channel"].pk}).status_code
        == 404
    )
    replay = rival_client.post(
        reverse("channels:mapping_replay"), {"channel": acme_rows["channel"].pk, "channel_sku": "CH-RED"}
    )
    assert replay.status_code == 404


def test_every_channel_url_with_an_id_is_covered():
    from django.urls import get_resolver

    def find(patterns):
        for pattern in patterns:
            if getattr(pattern, "namespace", None) == "channels":
                return pattern
            found = find(getattr(pattern, "url_patterns", []))
            if found:
                return found
        return None

    channels = find(get_resolver().url_patterns)
    named = {f"channels:{p.name}" for p in channels.url_patterns if "_id>" in str(p.pattern)}

    assert named == {name for _, name, _, _ in URLS}
