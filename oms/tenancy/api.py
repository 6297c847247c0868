"""Base for tenant-scoped API views: every queryset starts from the request's merchant."""

from __future__ import annotations

from oms.core.actors import Actor
from oms.tenancy.context import request_merchant
from oms.tenancy.models import ApiToken


def actor_from_request(request) -> Actor:
    if isinstance(getattr(request, "auth", None), ApiToken):
        return Actor(label=f"API token {request.auth.name}")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Actor(label=user.email, user_id=user.pk)
    return Actor.system()


class MerchantScopedMixin:
    """Gives ``self.merchant``; querysets start from ``Model.objects.for_merchant(self.merchant)``."""

    @property
    def merchant(self):
        return request_merchant(self.request)
