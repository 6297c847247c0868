"""Accounts and settings pages: sign-up, log-in/out, password reset, invitations, members, API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from oms.orders.models import Order, OrderStatus
from oms.tenancy.context import SESSION_KEY
from oms.tenancy.models import ApiToken, Invitation, Membership, Merchant, Role, User
from oms.tenancy.services import invitation_accept, invitation_create
from tests.conftest import PASSWORD
from tests.dashboard.conftest import client_for, make_member, make_order, make_store

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-Lantern-Orbit-42"


def signup_data(**values) -> dict:
    return {
        "company": "Blue Tea Co",
        "email": "Boss@BlueTea.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **values,
    }


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def invite(client, captured, **values):
    data = {"email": "new@acme.test", "role": Role.WAREHOUSE, **values}
    with captured(execute=True):
        return client.post(reverse("settings:members"), data)


# --- sign-up ------------------------------------------------------------------------------------------


def test_signup_creates_merchant_and_owner_and_logs_in(client):
    response = client.post(reverse("signup"), signup_data())

    assert response.status_code == 302
    assert response.url == reverse("orders:list")
    merchant = Merchant.objects.get(name="Blue Tea Co")
    assert merchant.plan == "trial"
    membership = Membership.objects.get(merchant=merchant)
    assert (membership.user.email, membership.role) == ("boss@bluetea.test", Role.OWNER)
    assert client.session[AUTH_SESSION_KEY] == str(membership.user.pk)
    assert client.session[SESSION_KEY] == str(merchant.pk)
    page = client.get(reverse("orders:list"))
    assert page.status_code == 200
    assert "Blue Tea Co" in page.content.decode()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"email": "owner@acme.test"}, "email", "An account with this email exists already. Log in instead."),
        ({"password1": "12345", "password2": "12345"}, "password1", "This password is too short."),
        (
            {"password1": "password123", "password2": "password123"},
            "password1",
            "This password is too common.",
        ),
        ({"password2": "Something-Else-99"}, "password2", "The two passwords do not match."),
        ({"company": ""}, "company", "This field is required."),
    ],
)
def test_signup_refused_shows_the_error_and_creates_nothing(client, merchant, values, field, message):
    users, merchants = User.objects.count(), Merchant.objects.count()

    response = client.post(reverse("signup"), signup_data(**values))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert (User.objects.count(), Merchant.objects.count()) == (users, merchants)
    assert AUTH_SESSION_KEY not in client.session


# --- log-in / log-out ---------------------------------------------------------------------------------


def test_login_with_email_then_logout(client, owner):
    page = client.get(reverse("login"))
    assert '<label for="id_username">Email' in page.content.decode()

    response = client.post(reverse("login"), {"username": "OWNER@acme.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("orders:list")
    assert client.get(reverse("orders:list")).status_code == 200

    logged_out = client.post(reverse("logout"))

    assert logged_out.status_code == 302
    assert logged_out.url == reverse("login")
    again = client.get(reverse("orders:list"))
    assert again.status_code == 302
    assert again.url == f"{reverse('login')}?next=/orders/"


def test_login_with_a_wrong_password_is_refused(client, owner):
    response = client.post(reverse("login"), {"username": "owner@acme.test", "password": "wrong-password-1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert AUTH_SESSION_KEY not in client.session


def test_logout_by_get_is_not_allowed(owner_client):
    response = owner_client.get(reverse("logout"))

    assert response.status_code == 405
    assert owner_client.get(reverse("orders:list")).status_code == 200


def test_home_redirects_to_orders_or_login(client, owner_client):
    assert owner_client.get("/").url == reverse("orders:list")
    assert Client().get("/").url == reverse("login")


def test_user_without_merchant_lands_on_the_no_merchant_page(client, db):
    lonely = User.objects.create_user("lonely@nowhere.test", PASSWORD)
    client.force_login(lonely)

    response = client.get(reverse("orders:list"))

    assert response.status_code == 302
    assert response.url == reverse("no_merchant")
    assert "lonely@nowhere.test is not a member of any merchant" in client.get(response.url).content.decode()


# --- password reset -----------------------------------------------------------------------------------


def test_password_reset_mails_a_link_that_sets_a_new_password(client, owner):
    response = client.post(reverse("password_reset"), {"email": "Owner@acme.test"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@acme.test"]
    assert mail.outbox[0].subject == "Reset your password"
    form_page = client.get(link_in(mail.outbox[0]), follow=True)
    assert form_page.context["validlink"] is True

    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert client.get(link_in(mail.outbox[0]), follow=True).context["validlink"] is False


def test_password_reset_for_an_unknown_email_sends_nothing(client, owner):
    response = client.post(reverse("password_reset"), {"email": "nobody@acme.test"})

    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


# --- invitations --------------------------------------------------------------------------------------


def test_invitation_mail_accepted_by_a_new_user_makes_a_member(
    owner_client, merchant, django_capture_on_commit_callbacks
):
    response = invite(owner_client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@acme.test"]
    link = link_in(mail.outbox[0])
    assert link.startswith("/invite/")
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200
    assert "Join Acme" in page.content.decode()
    assert "Warehouse operator" in page.content.decode()

    accepted = visitor.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert accepted.status_code == 302
    assert accepted.url == reverse("orders:list")
    membership = Membership.objects.get(merchant=merchant, user__email="new@acme.test")
    assert membership.role == Role.WAREHOUSE
    assert visitor.session[AUTH_SESSION_KEY] == str(membership.user_id)
    assert visitor.get(link).status_code == 404


def test_invitation_weak_password_is_refused_and_the_link_stays_open(owner, merchant):
    issued = invitation_create(merchant=merchant, email="new@acme.test", role=Role.VIEWER, invited_by=owner)
    visitor = Client()

    response = visitor.post(f"/invite/{issued.secret}/", {"password1": "short", "password2": "short"})

    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(email="new@acme.test").exists()
    assert Invitation.objects.get(pk=issued.invitation.pk).accepted_at is None


def test_invitation_accepted_by_a_logged_in_user_of_another_merchant(
    rival_client, rival_owner, owner, merchant
):
    issued = invitation_create(
        merchant=merchant, email=rival_owner.email, role=Role.MANAGER, invited_by=owner
    )

    response = rival_client.post(f"/invite/{issued.secret}/")

    assert response.status_code == 302
    assert Membership.objects.get(merchant=merchant, user=rival_owner).role == Role.MANAGER
    assert rival_client.session[SESSION_KEY] == str(merchant.pk)


def test_clerk_invitation_needs_a_store(owner_client, merchant, django_capture_on_commit_callbacks):
    response = invite(owner_client, django_capture_on_commit_callbacks, role=Role.CLERK)

    assert response.status_code == 200
    assert response.context["form"].errors["store"] == ["A store clerk must be bound to a store."]
    assert not Invitation.objects.filter(merchant=merchant).exists()
    assert mail.outbox == []

    store = make_store(merchant)
    response = invite(owner_client, django_capture_on_commit_callbacks, role=Role.CLERK, store=store.pk)

    assert response.status_code == 302
    assert Invitation.objects.get(merchant=merchant).store == store


@pytest.mark.parametrize("state", ["expired", "accepted", "revoked", "unknown"])
def test_closed_invitation_link_is_404(client, owner, merchant, state):
    issued = invitation_create(merchant=merchant, email="new@acme.test", role=Role.VIEWER, invited_by=owner)
    secret = issued.secret
    if state == "expired":
        Invitation.objects.filter(pk=issued.invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    elif state == "accepted":
        invitation_accept(secret=secret, password=NEW_PASSWORD)
    elif state == "revoked":
        Invitation.objects.filter(pk=issued.invitation.pk).update(revoked_at=timezone.now())
    else:
        secret = "not-a-real-secret"

    assert client.get(f"/invite/{secret}/").status_code == 404
    assert (
        client.post(f"/invite/{secret}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code
        == 404
    )


def test_pending_invitation_is_listed_and_revoked(owner_client, owner, merchant):
    issued = invitation_create(merchant=merchant, email="new@acme.test", role=Role.VIEWER, invited_by=owner)
    assert "new@acme.test" in owner_client.get(reverse("settings:members")).content.decode()

    response = owner_client.post(reverse("settings:invitation_revoke", args=[issued.invitation.pk]))

    assert response.status_code == 302
    assert Invitation.objects.get(pk=issued.invitation.pk).revoked_at is not None
    assert "new@acme.test" not in owner_client.get(reverse("settings:members")).content.decode()
    assert Client().get(f"/invite/{issued.secret}/").status_code == 404


# --- members ------------------------------------------------------------------------------------------


def test_owner_changes_a_role_and_removes_a_member(owner_client, merchant):
    viewer = make_member(merchant, Role.VIEWER)

    changed = owner_client.post(reverse("settings:member_update", args=[viewer.pk]), {"role": Role.MANAGER})

    assert changed.status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == Role.MANAGER

    removed = owner_client.post(reverse("settings:member_remove", args=[viewer.pk]))

    assert removed.status_code == 302
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_manager_cannot_demote_the_last_owner(merchant, owner):
    manager = make_member(merchant, Role.MANAGER)
    owner_membership = Membership.objects.get(merchant=merchant, user=owner)
    client = client_for(manager.user)

    response = client.post(
        reverse("settings:member_update", args=[owner_membership.pk]), {"role": Role.VIEWER}, follow=True
    )

    assert response.status_code == 200
    assert "only an owner can change owners" in response.content.decode()
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER


def test_the_last_owner_cannot_demote_themselves(owner_client, merchant, owner):
    owner_membership = Membership.objects.get(merchant=merchant, user=owner)

    response = owner_client.post(
        reverse("settings:member_update", args=[owner_membership.pk]), {"role": Role.MANAGER}, follow=True
    )

    assert "a merchant keeps at least one owner" in response.content.decode()
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER


def test_clerk_role_needs_a_store_of_this_merchant(owner_client, merchant, rival):
    viewer = make_member(merchant, Role.VIEWER)
    rival_store = make_store(rival, "R1")

    response = owner_client.post(
        reverse("settings:member_update", args=[viewer.pk]), {"role": Role.CLERK, "store": rival_store.pk}
    )

    assert response.status_code == 302
    viewer.refresh_from_db()
    assert (viewer.role, viewer.store_id) == (Role.VIEWER, None)


def test_merchant_switch_only_to_own_memberships(owner_client, owner, rival):
    other = Merchant.objects.create(slug="second", name="Second Shop")
    Membership.objects.create(merchant=other, user=owner, role=Role.VIEWER)
    page = owner_client.get(reverse("orders:list")).content.decode()
    assert "Second Shop" in page

    switched = owner_client.post(reverse("merchant_switch"), {"merchant": other.pk})

    assert switched.status_code == 302
    assert owner_client.session[SESSION_KEY] == str(other.pk)
    assert owner_client.post(reverse("merchant_switch"), {"merchant": rival.pk}).status_code == 404
    assert owner_client.session[SESSION_KEY] == str(other.pk)


def test_settings_are_edited_by_an_owner_and_only_read_by_a_viewer(owner_client, merchant):
    response = owner_client.post(
        reverse("settings:index"), {"name": "Acme Retail", "timezone": "Europe/Berlin", "currency": "eur"}
    )

    assert response.status_code == 302
    merchant.refresh_from_db()
    assert (merchant.name, merchant.timezone, merchant.currency) == ("Acme Retail", "Europe/Berlin", "EUR")
    viewer = client_for(make_member(merchant, Role.VIEWER).user)
    page = viewer.get(reverse("settings:index"))
    assert page.status_code == 200
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert (
        viewer.post(
            reverse("settings:index"), {"name": "X", "timezone": "UTC", "currency": "USD"}
        ).status_code
        == 403
    )
    merchant.refresh_from_db()
    assert merchant.name == "Acme Retail"


# --- API tokens ---------------------------------------------------------------------------------------


def test_token_secret_is_shown_once_and_a_revoked_token_gets_401(owner_client, merchant):
    created = owner_client.post(reverse("settings:tokens"), {"name": "ERP", "scopes": ["read"]})
    assert created.status_code == 302
    token = ApiToken.objects.get(merchant=merchant, name="ERP")
    assert token.scopes == ["read"]

    first = owner_client.get(reverse("settings:tokens")).content.decode()
    secret = re.search(r'id="new-token-secret">([^<]+)<', first).group(1)
    assert secret.startswith(f"oms_{token.prefix}_")
    second = owner_client.get(reverse("settings:tokens")).content.decode()
    assert secret not in second
    assert token.prefix in second
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/orders/").status_code == 200

    revoked = owner_client.post(reverse("settings:token_revoke", args=[token.pk]))

    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/orders/").status_code == 401


# --- roles --------------------------------------------------------------------------------------------


def test_viewer_cannot_post_any_action(merchant, owner, django_capture_on_commit_callbacks):
    viewer = make_member(merchant, Role.VIEWER)
    client = client_for(viewer.user)
    order = make_order(merchant, external_number="ACME-9")
    owner_membership = Membership.objects.get(merchant=merchant, user=owner)
    token = ApiToken.objects.create(
        merchant=merchant, name="t", prefix="abcd1234", key_hash="x", scopes=["read"]
    )
    posts = [
        (reverse("orders:cancel", args=[order.pk]), {}),
        (reverse("orders:hold", args=[order.pk]), {}),
        (reverse("settings:members"), {"email": "x@acme.test", "role": Role.VIEWER}),
        (reverse("settings:member_update", args=[owner_membership.pk]), {"role": Role.VIEWER}),
        (reverse("settings:member_remove", args=[owner_membership.pk]), {}),
        (reverse("settings:tokens"), {"name": "mine", "scopes": ["read", "write"]}),
        (reverse("settings:token_revoke", args=[token.pk]), {}),
        (reverse("settings:index"), {"name": "X", "timezone": "UTC", "currency": "USD"}),
        (reverse("channels:create"), {"kind": "shopify", "name": "Mine"}),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(url, data).status_code for url, data in posts]

    assert statuses == [403] * len(posts)
    assert "Not allowed" in client.post(posts[0][0]).content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.NEW
    assert Membership.objects.get(pk=owner_membership.pk).role == Role.OWNER
    assert ApiToken.objects.filter(merchant=merchant).count() == 1
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.WAREHOUSE])
def test_only_owners_and_managers_open_members_and_tokens(merchant, role):
    client = client_for(make_member(merchant, role).user)

    assert client.get(reverse("settings:members")).status_code == 403
    assert client.get(reverse("settings:tokens")).status_code == 403
    assert client.get(reverse("settings:index")).status_code == 200
