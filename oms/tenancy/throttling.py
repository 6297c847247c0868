from rest_framework.throttling import SimpleRateThrottle

from oms.tenancy.context import request_merchant


class MerchantRateThrottle(SimpleRateThrottle):
    """One request budget per merchant across its tokens and sessions (shared through the cache)."""

    scope = "merchant"

    def get_cache_key(self, request, view):
        merchant = request_merchant(request)
        ident = str(merchant.pk) if merchant else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
