"""Account pages (sign-up, invitations, merchant switch) and the merchant's settings pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.core.errors import Conflict, DomainError, NotFound
from oms.tenancy import selectors, services
from oms.tenancy.context import SESSION_KEY, current_membership
from oms.tenancy.decorators import admin_required, role_required
from oms.tenancy.forms import (
    ApiTokenForm,
    InvitationExistingUserForm,
    InvitationForm,
    InvitationNewUserForm,
    MembershipForm,
    MerchantSettingsForm,
    MerchantSwitchForm,
    SignupForm,
    add_domain_error,
)
from oms.tenancy.models import ADMIN_ROLES

NEW_TOKEN_SESSION_KEY = "new_api_token"  # noqa: S105 (a session key name, not a secret)


def _choose_merchant(request, merchant_id) -> None:
    request.session[SESSION_KEY] = str(merchant_id)


def home(request):
    return redirect("orders:list" if request.user.is_authenticated else "login")


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merchant, user = services.merchant_signup(
                company=form.cleaned_data["company"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user)
            _choose_merchant(request, merchant.pk)
            messages.success(
                request, _("Welcome! Your free trial of %(name)s has started.") % {"name": merchant.name}
            )
            return redirect("orders:list")
    return render(request, "tenancy/signup.html", {"form": form})


@login_required
def no_merchant(request):
    if current_membership(request) is not None:
        return redirect("orders:list")
    return render(request, "tenancy/no_merchant.html")


@require_POST
@login_required
def merchant_switch(request):
    form = MerchantSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404
    memberships = selectors.membership_list_for_user(user=request.user)
    membership = memberships.filter(merchant_id=form.cleaned_data["merchant"]).first()
    if membership is None:
        raise Http404
    _choose_merchant(request, membership.merchant_id)
    messages.success(request, _("You are now working in %(name)s.") % {"name": membership.merchant.name})
    return redirect("orders:list")


def invitation_accept(request, secret: str):
    try:
        invitation = services.invitation_get_open(secret)
    except NotFound as error:
        raise Http404(error.message) from error
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        account, form_class = "current", forms.Form
    elif selectors.account_exists(email=invitation.email):
        account, form_class = "existing", InvitationExistingUserForm
    else:
        account, form_class = "new", InvitationNewUserForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                secret=secret, password=form.cleaned_data.get("password1", ""), user=user
            )
        except NotFound as error:
            raise Http404(error.message) from error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if user is None:
                login(request, membership.user)
            _choose_merchant(request, membership.merchant_id)
            messages.success(request, _("You joined %(name)s.") % {"name": invitation.merchant.name})
            return redirect("orders:list")
    return render(
        request,
        "tenancy/invitation_accept.html",
        {"invitation": invitation, "form": form, "account": account},
    )


@role_required(*ADMIN_ROLES, reads_open=True)
def settings_index(request):
    membership = current_membership(request)
    form = MerchantSettingsForm(request.POST or None, instance=membership.merchant)
    if request.method == "POST" and form.is_valid():
        services.merchant_update(
            merchant=membership.merchant,
            name=form.cleaned_data["name"],
            timezone_name=form.cleaned_data["timezone"],
            currency=form.cleaned_data["currency"],
        )
        messages.success(request, _("Settings saved."))
        return redirect("settings:index")
    if not membership.can_admin:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "tenancy/merchant_settings.html", {"form": form, "can_edit": membership.can_admin})


@admin_required
def members(request):
    merchant = current_membership(request).merchant
    stores = selectors.store_list(merchant=merchant)
    form = InvitationForm(request.POST or None, stores=stores)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                merchant=merchant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                store=form.cleaned_data["store"],
                invited_by=request.user,
                accept_url_base=request.build_absolute_uri("/invite/"),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("settings:members")
    rows = [
        (
            membership,
            MembershipForm(
                initial={"role": membership.role, "store": membership.store_id},
                stores=stores,
                auto_id=f"id_{membership.pk}_%s",
            ),
        )
        for membership in selectors.membership_list(merchant=merchant)
    ]
    context = {
        "form": form,
        "rows": rows,
        "invitations": selectors.invitation_list_pending(merchant=merchant),
    }
    return render(request, "tenancy/membership_list.html", context)


@require_POST
@admin_required
def member_update(request, membership_id):
    merchant = current_membership(request).merchant
    get_object_or_404(selectors.membership_list(merchant=merchant), pk=membership_id)
    form = MembershipForm(request.POST, stores=selectors.store_list(merchant=merchant))
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect("settings:members")
    try:
        updated = services.membership_update(
            merchant=merchant,
            membership_id=membership_id,
            role=form.cleaned_data["role"],
            store=form.cleaned_data["store"],
            actor=request.user,
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(email)s is now %(role)s.")
            % {
                "email": updated.user.email,
                "role": updated.get_role_display(),
            },
        )
    return redirect("settings:members")


@require_POST
@admin_required
def member_remove(request, membership_id):
    try:
        services.membership_remove(
            merchant=current_membership(request).merchant, membership_id=membership_id, actor=request.user
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Member removed."))
    return redirect("settings:members")


@require_POST
@admin_required
def invitation_revoke(request, invitation_id):
    try:
        services.invitation_revoke(merchant=current_membership(request).merchant, invitation_id=invitation_id)
    except NotFound as error:
        raise Http404 from error
    except Conflict:
        messages.error(request, _("This invitation was already used or revoked."))
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("settings:members")


@admin_required
def tokens(request):
    merchant = current_membership(request).merchant
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_token_create(
                merchant=merchant,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            request.session[NEW_TOKEN_SESSION_KEY] = {"id": str(issued.token.pk), "secret": issued.secret}
            return redirect("settings:tokens")
    context = {
        "form": form,
        "tokens": selectors.api_token_list(merchant=merchant),
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
    }
    response = render(request, "tenancy/apitoken_list.html", context)
    add_never_cache_headers(response)
    return response


@require_POST
@admin_required
def token_revoke(request, token_id):
    try:
        token = services.api_token_revoke(merchant=current_membership(request).merchant, token_id=token_id)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("settings:tokens")
