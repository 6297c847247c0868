"""Access rules of the dashboard pages: who is logged in, for which merchant, with which role."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

from oms.tenancy.context import current_membership
from oms.tenancy.models import ADMIN_ROLES, WRITE_ROLES

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def member_required(view):
    """A logged-in member of a merchant; a viewer may look but never POST."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(resolve_url("login"))
            return redirect_to_login(request.get_full_path())
        membership = current_membership(request)
        if membership is None:
            return redirect("no_merchant")
        if request.method not in SAFE_METHODS and membership.role not in WRITE_ROLES:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str, reads_open: bool = False):
    """A member whose role is one of ``roles``; with ``reads_open`` every member may GET the page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            is_read = reads_open and request.method in SAFE_METHODS
            if not is_read and current_membership(request).role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return member_required(wrapper)

    return decorator


admin_required = role_required(*ADMIN_ROLES)
