"""Reads on merchants, members, invitations and API tokens shared by the dashboard pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from oms.locations.models import Location, LocationKind
from oms.tenancy.models import ApiToken, Invitation, Membership, User


def membership_list(*, merchant) -> QuerySet[Membership]:
    return Membership.objects.for_merchant(merchant).select_related("user", "store").order_by("created_at")


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.select_related("merchant")
        .filter(user=user, is_active=True, merchant__is_active=True)
        .order_by("merchant__name")
    )


def invitation_list_pending(*, merchant) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_merchant(merchant)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("store", "invited_by")
        .order_by("created_at")
    )


def api_token_list(*, merchant) -> QuerySet[ApiToken]:
    return ApiToken.objects.for_merchant(merchant).select_related("created_by").order_by("-created_at")


def store_list(*, merchant) -> QuerySet[Location]:
    return Location.objects.for_merchant(merchant).filter(kind=LocationKind.STORE)


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email=email.strip().lower()).exists()
