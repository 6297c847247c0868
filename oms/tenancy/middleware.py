from django.utils.functional import SimpleLazyObject

from oms.tenancy.context import current_membership


class CurrentMerchantMiddleware:
    """Puts the session user's membership and merchant on the request for dashboard views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: current_membership(request))
        return self.get_response(request)
