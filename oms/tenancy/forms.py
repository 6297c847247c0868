"""Forms of the account and settings pages; services do the writes, forms only check the input."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _

from oms.core.errors import DomainError
from oms.tenancy.models import Merchant, Role, Scope
from oms.tenancy.selectors import account_exists

DOMAIN_FIELD_NAMES = {"owner_email": "email", "password": "password1"}


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: under the first field it names that the form has, else on top."""
    for key in error.fields:
        field = DOMAIN_FIELD_NAMES.get(key, key)
        if field in form.fields:
            form.add_error(field, error.message)
            return
    form.add_error(None, error.message)


class PasswordPairMixin:
    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned


class SignupForm(PasswordPairMixin, forms.Form):
    company = forms.CharField(label=_("Company name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if account_exists(email=email):
            raise forms.ValidationError(_("An account with this email exists already. Log in instead."))
        return email


class EmailAuthenticationForm(AuthenticationForm):
    username = UsernameField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class InvitationNewUserForm(PasswordPairMixin, forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class InvitationExistingUserForm(forms.Form):
    password1 = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class MerchantSwitchForm(forms.Form):
    merchant = forms.UUIDField(widget=forms.HiddenInput)


class MerchantSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"))

    class Meta:
        model = Merchant
        fields = ["name", "timezone", "currency"]
        labels = {"name": _("Name"), "currency": _("Currency")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(name, name) for name in sorted(zoneinfo.available_timezones())]

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Use a three-letter ISO 4217 code such as CNY or USD."))
        return currency


class StoreChoiceMixin:
    """The store select lists only the merchant's own stores, so another merchant's id is invalid."""

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.CLERK and not cleaned.get("store"):
            self.add_error("store", _("A store clerk must be bound to a store."))
        return cleaned


class InvitationForm(StoreChoiceMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, empty_label=_("No store"))


class MembershipForm(StoreChoiceMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, empty_label=_("No store"))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
    )
