"""Which merchant a request acts for: the token's merchant, or the session's chosen membership."""

from __future__ import annotations

from oms.tenancy.models import ApiToken, Membership, Merchant

SESSION_KEY = "merchant_id"


def current_membership(request) -> Membership | None:
    cached = getattr(request, "_membership", "unset")
    if cached != "unset":
        return cached
    membership = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "pk", None):
        memberships = Membership.objects.select_related("merchant", "store").filter(
            user=user, is_active=True, merchant__is_active=True
        )
        chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if chosen:
            membership = memberships.filter(merchant_id=chosen).first()
        if membership is None:
            membership = memberships.order_by("created_at").first()
    request._membership = membership
    return membership


def request_merchant(request) -> Merchant | None:
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return auth.merchant
    membership = current_membership(request)
    return membership.merchant if membership else None
