from rest_framework.permissions import SAFE_METHODS, BasePermission

from oms.tenancy.context import current_membership, request_merchant
from oms.tenancy.models import ApiToken, Scope


class IsMerchantMember(BasePermission):
    """A token of the merchant with the scope for the method, or a member whose role may do it."""

    message = "You have no access to this merchant's data for this action."

    def has_permission(self, request, view) -> bool:
        if request_merchant(request) is None:
            return False
        needs_write = request.method not in SAFE_METHODS
        if isinstance(request.auth, ApiToken):
            return (Scope.WRITE if needs_write else Scope.READ) in request.auth.scopes
        membership = current_membership(request)
        return membership is not None and (membership.can_write or not needs_write)


class IsMerchantAdmin(IsMerchantMember):
    """Owners and managers (or a write token) for settings such as channels and members."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS or isinstance(request.auth, ApiToken):
            return True
        membership = current_membership(request)
        return membership is not None and membership.can_admin
