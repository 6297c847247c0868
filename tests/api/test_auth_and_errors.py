"""Bearer tokens, scopes, roles, CSRF for sessions, and the error object."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from oms.tenancy.models import ApiToken, Membership, Role
from oms.tenancy.services import api_token_create, api_token_revoke
from tests.conftest import token_client


def test_no_token_is_401_with_the_error_object(db):
    response = APIClient().get("/api/v1/orders/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer oms_deadbeef_wrong", "Bearer "])
def test_bad_token_is_401(merchant, header):
    api_token_create(merchant=merchant, name="real")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get("/api/v1/orders/").status_code == 401


def test_a_token_with_the_right_prefix_but_wrong_secret_is_401(merchant):
    issued = api_token_create(merchant=merchant, name="real")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + issued.secret[:-2] + "xx")

    assert client.get("/api/v1/orders/").status_code == 401


def test_token_is_stored_hashed_and_records_last_use(merchant):
    issued = api_token_create(merchant=merchant, name="ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")

    assert client.get("/api/v1/orders/").status_code == 200
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret not in (token.key_hash, token.prefix)
    assert token.last_used_at is not None and token.last_used_at <= timezone.now()


def test_revoked_token_is_401(merchant):
    issued = api_token_create(merchant=merchant, name="ci")
    api_token_revoke(merchant=merchant, token_id=issued.token.pk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")

    response = client.get("/api/v1/orders/")

    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


def test_read_scope_cannot_write(merchant):
    client = token_client(merchant, scopes=["read"])

    assert client.get("/api/v1/products/").status_code == 200
    response = client.post("/api/v1/products/", {"sku": "A", "title": "A"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("role", "can_write"), [(Role.VIEWER, False), (Role.MANAGER, True), (Role.WAREHOUSE, True)]
)
def test_session_roles(merchant, django_user_model, role, can_write):
    user = django_user_model.objects.create_user(f"{role}@acme.test", "Corr3ct-Horse-Battery")
    Membership.objects.create(merchant=merchant, user=user, role=role)
    client = APIClient()
    client.force_login(user)

    assert client.get("/api/v1/products/").status_code == 200
    status = client.post("/api/v1/products/", {"sku": "A", "title": "A"}, format="json").status_code
    assert status == (201 if can_write else 403)


def test_channels_need_an_admin_role_in_the_dashboard(merchant, django_user_model):
    user = django_user_model.objects.create_user("wh@acme.test", "Corr3ct-Horse-Battery")
    Membership.objects.create(merchant=merchant, user=user, role=Role.WAREHOUSE)
    client = APIClient()
    client.force_login(user)

    assert (
        client.post("/api/v1/channels/", {"kind": "shopify", "name": "S"}, format="json").status_code == 403
    )


def test_session_writes_need_csrf(owner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/api/v1/products/", {"sku": "A", "title": "A"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_user_without_membership_is_refused(db, django_user_model):
    user = django_user_model.objects.create_user("lonely@x.test", "Corr3ct-Horse-Battery")
    client = APIClient()
    client.force_login(user)

    assert client.get("/api/v1/orders/").status_code == 403


def test_schema_and_docs_are_public(db):
    schema = APIClient().get("/api/v1/schema/")
    docs = APIClient().get("/api/v1/docs/")

    assert schema.status_code == 200 and b"/api/v1/orders/" in schema.content
    assert docs.status_code == 200


def test_channel_create_returns_webhook_url_and_hides_credentials(api):
    response = api.post(
        "/api/v1/channels/",
        {
            "kind": "shopify",
            "name": "Shop",
            "config": {"shop_domain": "x.myshopify.com", "access_token": "shpat_secret"},
            "webhook_secret": "whsec",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["webhook_url"].startswith("/webhooks/shopify/")
    assert body["config_keys"] == ["access_token", "shop_domain"]
    assert "shpat_secret" not in response.content.decode() and "whsec" not in response.content.decode()
    listed = api.get("/api/v1/channels/").json()["results"][0]
    assert listed["id"] == body["id"] and listed["last_sync_at"] is None and listed["last_error"] == ""


def test_unknown_channel_kind_is_400(api):
    response = api.post("/api/v1/channels/", {"kind": "myspace", "name": "x"}, format="json")

    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_warehouse_address_gets_its_code_and_coordinates(api):
    response = api.post(
        "/api/v1/warehouses/",
        {
            "code": "SZ1",
            "name": "Shenzhen",
            "kind": "warehouse",
            "capabilities": ["cold_chain"],
            "address": {"province": "广东", "city": "深圳", "district": "南山区", "detail": "科技园"},
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["address"]["province"] == "广东省" and body["address"]["city"] == "深圳市"
    assert body["region_code"] == "440305"
    assert body["latitude"] is not None
    assert body["capabilities"] == ["cold_chain"]


def test_product_in_use_cannot_be_deleted(api):
    product = api.post("/api/v1/products/", {"sku": "A", "title": "A"}, format="json").json()
    api.post("/api/v1/orders/", {"lines": [{"sku": "A", "quantity": 1, "unit_price": "1.00"}]}, format="json")

    response = api.delete(f"/api/v1/products/{product['id']}/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "in_use"


def test_rate_limit_is_per_merchant_and_answers_429_with_retry_after(merchant, rival, monkeypatch):
    from oms.tenancy.throttling import MerchantRateThrottle

    monkeypatch.setattr(MerchantRateThrottle, "THROTTLE_RATES", {"merchant": "3/min"})
    first, second = token_client(merchant), token_client(merchant)

    statuses = [client.get("/api/v1/products/").status_code for client in (first, second, first, second)]
    rival_status = token_client(rival).get("/api/v1/products/").status_code

    assert statuses == [200, 200, 200, 429]
    assert rival_status == 200
    limited = second.get("/api/v1/products/")
    assert limited.json()["error"]["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
