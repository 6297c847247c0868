"""The form that connects a sales channel; the service creates the account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import ChannelKind

INTERNAL_KINDS = frozenset({ChannelKind.API, ChannelKind.STORE, ChannelKind.CSV})


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Platform"),
        choices=[(kind, label) for kind, label in ChannelKind.choices if kind not in INTERNAL_KINDS],
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("How this shop is called on your pages.")
    )
    webhook_secret = forms.CharField(
        label=_("Webhook secret"),
        max_length=255,
        required=False,
        help_text=_("The signing secret the platform shows for webhooks."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    config = forms.JSONField(
        label=_("Settings (JSON)"),
        required=False,
        help_text=_(
            'Optional platform settings as a JSON object, for example {"shop_domain": "x.myshopify.com"}.'
        ),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )

    def clean_config(self) -> dict:
        config = self.cleaned_data["config"]
        if config in (None, ""):
            return {}
        if not isinstance(config, dict):
            raise forms.ValidationError(_("The settings must be a JSON object: {…}."))
        return config
