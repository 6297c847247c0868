"""Forms of the order pages: the list filters and the reason of a status action."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.orders.models import Order, OrderStatus, Priority


class OrderFilterForm(forms.Form):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Number, customer, phone, SKU")}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *OrderStatus.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), required=False, queryset=None, empty_label=_("Any channel")
    )
    region_code = forms.RegexField(
        label=_("Region code"),
        required=False,
        regex=r"^\d{1,6}$",
        error_messages={"invalid": _("Up to six digits, such as 4403 or 440305.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "440305"}),
    )
    placed_from = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = forms.DateField(
        label=_("Placed to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        channel_model = Order._meta.get_field("channel").related_model
        self.fields["channel"].queryset = channel_model.objects.for_merchant(merchant)

    def filters(self) -> dict:
        """The selector's filters from the valid fields; dates are whole days in the merchant's time zone."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        zone = ZoneInfo(self.merchant.timezone)
        filters = {key: data[key] for key in ("search", "status", "priority", "region_code") if data.get(key)}
        if data.get("channel"):
            filters["channel"] = data["channel"].pk
        if data.get("placed_from"):
            filters["placed_after"] = datetime.combine(data["placed_from"], time.min, tzinfo=zone)
        if data.get("placed_to"):
            filters["placed_before"] = datetime.combine(
                data["placed_to"] + timedelta(days=1), time.min, tzinfo=zone
            )
        return filters


class OrderActionForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=1000, required=False)
