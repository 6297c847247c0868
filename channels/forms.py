"""Forms of the channel pages: connecting a shop (per platform), SKU mappings, event filters, the store
order form and the order import. Services do the writes; forms only check the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import ChannelAccount, ChannelKind, InboundSource, InboundStatus
from oms.catalog.models import Product
from oms.core.addresses import address_complete
from oms.core.phones import phone_to_e164
from oms.locations.models import Location, LocationKind

INTERNAL_KINDS = frozenset({ChannelKind.API, ChannelKind.STORE, ChannelKind.CSV})
SECRET_ATTRS = {"autocomplete": "off", "spellcheck": "false"}


@dataclass(frozen=True)
class Credential:
    """One setting of a platform, under the platform's own name (the key stored in the account's config)."""

    key: str
    label: str
    help_text: str = ""
    secret: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    integer: bool = False


@dataclass(frozen=True)
class PlatformForm:
    """What the connect form asks for one platform; ``signing_secret`` labels the webhook secret field."""

    credentials: tuple[Credential, ...]
    signing_secret: tuple[str, str] | None = None


AMAZON_REGIONS = (("na", _("North America")), ("eu", _("Europe")), ("fe", _("Far East")))

PLATFORM_FORMS: dict[str, PlatformForm] = {
    ChannelKind.SHOPIFY: PlatformForm(
        (
            Credential("shop_domain", _("Shop domain"), _("For example acme.myshopify.com.")),
            Credential("access_token", _("Admin API access token"), secret=True),
            Credential("api_version", _("API version"), _("For example 2024-10; empty for the default.")),
        ),
        (_("Client secret"), _("Shopify signs its webhooks with your app's client secret (API secret key).")),
    ),
    ChannelKind.WOOCOMMERCE: PlatformForm(
        (
            Credential("site_url", _("Site URL"), _("For example https://shop.example.com.")),
            Credential("consumer_key", _("Consumer key")),
            Credential("consumer_secret", _("Consumer secret"), secret=True),
        ),
        (_("Webhook secret"), _("The secret you typed when you created the webhook in WooCommerce.")),
    ),
    ChannelKind.BIGCOMMERCE: PlatformForm(
        (
            Credential("store_hash", _("Store hash"), _("The part after /stores/ in your API path.")),
            Credential("access_token", _("Access token"), secret=True),
            Credential("client_secret", _("Client secret"), secret=True),
        ),
        (_("Webhook secret"), _("Optional: a shared secret sent with each webhook.")),
    ),
    ChannelKind.AMAZON: PlatformForm(
        (
            Credential("seller_id", _("Seller ID")),
            Credential("marketplace_id", _("Marketplace ID"), _("For example ATVPDKIKX0DER.")),
            Credential("region", _("Region"), choices=AMAZON_REGIONS),
            Credential("refresh_token", _("Refresh token"), secret=True),
            Credential("client_id", _("LWA client ID")),
            Credential("client_secret", _("LWA client secret"), secret=True),
        )
    ),
    ChannelKind.TAOBAO: PlatformForm(
        (
            Credential("app_key", _("App key")),
            Credential("app_secret", _("App secret"), secret=True),
            Credential("session", _("Session key"), _("The seller's authorization session."), secret=True),
        )
    ),
    ChannelKind.JD: PlatformForm(
        (
            Credential("app_key", _("App key")),
            Credential("app_secret", _("App secret"), secret=True),
            Credential("access_token", _("Access token"), secret=True),
        )
    ),
    ChannelKind.PINDUODUO: PlatformForm(
        (
            Credential("client_id", _("Client ID")),
            Credential("client_secret", _("Client secret"), secret=True),
            Credential("access_token", _("Access token"), secret=True),
        )
    ),
    ChannelKind.DOUYIN: PlatformForm(
        (
            Credential("app_key", _("App key")),
            Credential(
                "app_secret", _("App secret"), _("Douyin also signs its pushes with it."), secret=True
            ),
            Credential("access_token", _("Access token"), secret=True),
            Credential("shop_id", _("Shop ID")),
        )
    ),
    ChannelKind.YOUZAN: PlatformForm(
        (
            Credential("client_id", _("Client ID")),
            Credential(
                "client_secret", _("Client secret"), _("Youzan also signs its pushes with it."), secret=True
            ),
            Credential("grant_id", _("Grant ID"), _("The shop's kdt_id the app is authorised for.")),
            Credential(
                "access_token",
                _("Access token"),
                _("Optional: fetched with the grant when empty."),
                secret=True,
            ),
        )
    ),
    ChannelKind.SANDBOX: PlatformForm(
        (
            Credential(
                "orders_per_poll",
                _("Orders per poll"),
                _("How many demo orders each poll makes; empty for 1 to 3."),
                integer=True,
            ),
        )
    ),
}
GENERIC_FORM = PlatformForm(
    (), (_("Webhook secret"), _("The signing secret the platform shows for webhooks."))
)


def platform_form(kind: str) -> PlatformForm:
    return PLATFORM_FORMS.get(kind, GENERIC_FORM)


def expected_keys(kind: str) -> list[str]:
    """The settings a platform's adapter reads (those a merchant should set), without optional ones."""
    optional = {"api_version", "orders_per_poll"}
    return [c.key for c in platform_form(kind).credentials if c.key not in optional]


def _credential_field(credential: Credential) -> forms.Field:
    common = {"label": credential.label, "required": False, "help_text": credential.help_text}
    if credential.integer:
        return forms.IntegerField(min_value=1, max_value=50, **common)
    if credential.choices:
        return forms.ChoiceField(choices=[("", "—"), *credential.choices], **common)
    widget = (
        forms.PasswordInput(render_value=False, attrs=SECRET_ATTRS)
        if credential.secret
        else forms.TextInput(attrs=SECRET_ATTRS)
    )
    return forms.CharField(max_length=500, widget=widget, **common)


class OptionalJSONField(forms.JSONField):
    """A JSON field that shows an empty box, not ``null``, when nothing was typed."""

    def prepare_value(self, value):
        return "" if value in (None, "") else super().prepare_value(value)


class CredentialFieldsMixin:
    """Adds the platform's own credential fields; values are write-only (secrets are never rendered back)."""

    def add_credential_fields(self, kind: str) -> None:
        spec = platform_form(kind)
        self.credential_keys = [c.key for c in spec.credentials]
        for credential in spec.credentials:
            self.fields[credential.key] = _credential_field(credential)
        self.fields["api_base_url"] = forms.URLField(
            label=_("API base URL"),
            required=False,
            assume_scheme="https",
            help_text=_(
                "Only to point the channel at a sandbox or test server; leave empty for the platform."
            ),
        )
        self.credential_keys.append("api_base_url")
        label, help_text = spec.signing_secret or (None, None)
        if label:
            self.fields["webhook_secret"] = forms.CharField(
                label=label,
                max_length=255,
                required=False,
                help_text=help_text,
                widget=forms.PasswordInput(render_value=False, attrs=SECRET_ATTRS),
            )

    def credential_values(self) -> dict:
        """The credentials typed in (empty ones left out)."""
        return {
            key: self.cleaned_data[key]
            for key in self.credential_keys
            if self.cleaned_data.get(key) not in (None, "")
        }


class ChannelForm(CredentialFieldsMixin, forms.Form):
    """Connect a sales channel: the platform's own credential names, plus optional extra settings as JSON."""

    kind = forms.ChoiceField(
        label=_("Platform"),
        choices=[(kind, label) for kind, label in ChannelKind.choices if kind not in INTERNAL_KINDS],
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("How this shop is called on your pages.")
    )

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            kind = self.data.get("kind", "")
        valid = {value for value, _label in self.fields["kind"].choices}
        self.kind = kind if kind in valid else ""
        self.fields["kind"].initial = self.kind
        self.add_credential_fields(self.kind)
        self.fields["config"] = OptionalJSONField(
            label=_("Extra settings (JSON)"),
            required=False,
            help_text=_('Optional, for settings without a field above, e.g. {"poll_seconds": 120}.'),
            widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        )

    def clean_config(self) -> dict:
        config = self.cleaned_data["config"]
        if config in (None, ""):
            return {}
        if not isinstance(config, dict):
            raise forms.ValidationError(_("The settings must be a JSON object: {…}."))
        return config

    def channel_values(self) -> dict:
        """What ``services.channel_create`` takes: the typed credentials win over the JSON settings."""
        return {
            "kind": self.cleaned_data["kind"],
            "name": self.cleaned_data["name"],
            "config": {**self.cleaned_data["config"], **self.credential_values()},
            "webhook_secret": self.cleaned_data.get("webhook_secret", ""),
        }


class ChannelCredentialsForm(CredentialFieldsMixin, forms.Form):
    """Replace some credentials of a connected channel: an empty field keeps what is stored."""

    remove = forms.MultipleChoiceField(
        label=_("Remove these settings"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, channel: ChannelAccount, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.add_credential_fields(channel.kind)
        self.fields["remove"].choices = [(key, key) for key in sorted(channel.config)]
        self.order_fields([*self.credential_keys, "webhook_secret", "remove"])

    def channel_values(self) -> dict:
        config = {k: v for k, v in self.channel.config.items() if k not in self.cleaned_data["remove"]}
        values = {"config": {**config, **self.credential_values()}}
        if self.cleaned_data.get("webhook_secret"):
            values["webhook_secret"] = self.cleaned_data["webhook_secret"]
        return values


def merchant_channels(merchant):
    return ChannelAccount.objects.for_merchant(merchant).order_by("name")


class InboundEventFilterForm(forms.Form):
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        required=False,
        queryset=ChannelAccount.objects.none(),
        empty_label=_("Any channel"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *InboundStatus.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any source")), *InboundSource.choices]
    )

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = merchant_channels(merchant)

    def filters(self) -> dict:
        """Only the valid filters: an unknown (another merchant's) channel is an error, not a filter."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in getattr(self, "cleaned_data", {}).items() if value}


class SkuMappingForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=ChannelAccount.objects.none())
    channel_sku = forms.CharField(
        label=_("Channel SKU"), max_length=128, help_text=_("The code or id the platform sends.")
    )
    sku = forms.CharField(
        label=_("Our SKU"), max_length=100, widget=forms.TextInput(attrs={"list": "our-skus"})
    )

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.fields["channel"].queryset = merchant_channels(merchant)

    def clean_channel_sku(self) -> str:
        return self.cleaned_data["channel_sku"].strip()

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"].strip()
        if not Product.objects.for_merchant(self.merchant).filter(sku=sku).exists():
            raise forms.ValidationError(_("There is no product with the SKU %(sku)s."), params={"sku": sku})
        return sku


class MappingReplayForm(forms.Form):
    channel = forms.ModelChoiceField(queryset=ChannelAccount.objects.none())
    channel_sku = forms.CharField(max_length=128)

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = merchant_channels(merchant)


# --- Store counter ---------------------------------------------------------------------------------------

DELIVERY_CHOICES = (
    ("express", _("Express courier")),
    ("same_city", _("Same-city delivery")),
    ("pickup", _("Pick up here later")),
    ("taken_now", _("Taken now")),
)
SHIPPED = frozenset({"express", "same_city"})
AT_STORE = frozenset({"pickup", "taken_now"})
MAX_LINES = 200


class StoreAddressForm(forms.Form):
    """The recipient and address of a delivered store order; smart paste fills these fields in."""

    ship_name = forms.CharField(label=_("Recipient"), max_length=200, required=False)
    ship_phone = forms.CharField(
        label=_("Recipient phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    detail = forms.CharField(label=_("Street address"), max_length=500, required=False)
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    country = forms.CharField(max_length=2, required=False, initial="CN", widget=forms.HiddenInput)

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "CN").upper()


@dataclass(frozen=True)
class StoreLine:
    sku: str
    title: str
    quantity: int
    unit_price: Decimal


class StoreOrderForm(StoreAddressForm):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    store = forms.ModelChoiceField(label=_("Store"), queryset=Location.objects.none(), empty_label=None)
    customer_name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    customer_phone = forms.CharField(
        label=_("Customer phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    customer_email = forms.EmailField(
        label=_("Customer email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    paste = forms.CharField(
        label=_("Smart paste"),
        required=False,
        help_text=_("Paste a name, phone and address as the customer sent them; the fields below fill in."),
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    delivery = forms.ChoiceField(
        label=_("Delivery"), choices=DELIVERY_CHOICES, initial="taken_now", widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["token", "store", "customer_name", "customer_phone", "customer_email", "delivery", "paste"]

    def __init__(self, *args, merchant, store=None, **kwargs):
        """``store`` is the clerk's own store: the only one offered, and fixed."""
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        stores = Location.objects.for_merchant(merchant).filter(kind=LocationKind.STORE, active=True)
        if store is not None:
            self.fields["store"].queryset = Location.objects.for_merchant(merchant).filter(pk=store.pk)
            self.fields["store"].initial = store.pk
            self.fields["store"].disabled = True
        else:
            self.fields["store"].queryset = stores
        self.lines: list[StoreLine] = []
        self.line_rows: list[dict] = []

    def clean_customer_phone(self) -> str:
        return self._phone("customer_phone")

    def clean_ship_phone(self) -> str:
        return self._phone("ship_phone")

    def _phone(self, name: str) -> str:
        phone = " ".join(self.cleaned_data.get(name, "").split())
        country = (self.data.get("country") or "CN").upper()
        if phone and phone_to_e164(phone, country) is None:
            raise forms.ValidationError(_("This is not a valid phone number."))
        return phone

    def _clean_lines(self) -> None:
        skus = self.data.getlist("line_sku") if hasattr(self.data, "getlist") else []
        quantities = self.data.getlist("line_quantity") if skus else []
        prices = self.data.getlist("line_unit_price") if skus else []
        rows = []
        for index, raw_sku in enumerate(skus[:MAX_LINES]):
            sku = raw_sku.strip()
            quantity = quantities[index].strip() if index < len(quantities) else ""
            price = prices[index].strip() if index < len(prices) else ""
            if sku or quantity not in ("", "1") or price:
                rows.append({"sku": sku, "quantity": quantity or "1", "unit_price": price, "errors": []})
        products = {
            p.sku: p
            for p in Product.objects.for_merchant(self.merchant).filter(
                sku__in={row["sku"] for row in rows}, is_active=True
            )
        }
        for row in rows:
            product = products.get(row["sku"])
            row["title"] = product.title if product else ""
            if product is None:
                row["errors"].append(_("Unknown SKU."))
            try:
                quantity = int(row["quantity"])
                if quantity < 1 or quantity > 100000:
                    raise ValueError
            except ValueError:
                row["errors"].append(_("The quantity must be a whole number of at least 1."))
                quantity = 0
            price = _price(row["unit_price"])
            if price is None:
                row["errors"].append(_("Enter the unit price, for example 12.50."))
            if not row["errors"]:
                self.lines.append(StoreLine(row["sku"], row["title"], quantity, price))
        self.line_rows = rows
        if any(row["errors"] for row in rows):
            self.add_error(None, _("Check the lines marked below."))
        elif not self.lines:
            self.add_error(None, _("Add at least one product."))

    def clean(self):
        cleaned = super().clean()
        self._clean_lines()
        delivery = cleaned.get("delivery")
        if delivery in SHIPPED:
            for name in ("province", "city", "detail"):
                if not cleaned.get(name):
                    self.add_error(name, _("Needed for a delivery."))
            if (
                not (cleaned.get("ship_phone") or cleaned.get("customer_phone"))
                and "ship_phone" not in self.errors
            ):
                self.add_error("ship_phone", _("A phone number is needed for a delivery."))
            if cleaned.get("country", "CN") == "CN" and cleaned.get("province") and cleaned.get("city"):
                found = address_complete(self.address())
                if any(problem.code == "unknown_region" for problem in found.problems):
                    self.add_error("district", _("This province, city and district do not go together."))
        elif delivery == "pickup" and not (cleaned.get("customer_phone") or cleaned.get("customer_name")):
            self.add_error("customer_phone", _("A name or phone is needed to call the customer."))
        return cleaned

    def address(self) -> dict:
        keys = ("province", "city", "district", "detail", "postal_code", "country")
        address = {key: self.cleaned_data.get(key, "") for key in keys}
        address["name"] = self.cleaned_data.get("ship_name") or self.cleaned_data.get("customer_name", "")
        address["phone"] = self.cleaned_data.get("ship_phone") or self.cleaned_data.get("customer_phone", "")
        return address


def _price(text: str) -> Decimal | None:
    cleaned = text.replace("¥", "").replace("￥", "").replace(",", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        return None
    return value


# --- Import ---------------------------------------------------------------------------------------------

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK) or Excel .xlsx, one row per order line, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB; split it in parts."))
        if upload.name.lower().endswith(".xls"):
            raise forms.ValidationError(_("Old .xls files cannot be read; save it as .xlsx or CSV."))
        return upload


# --- Stock sync -----------------------------------------------------------------------------------------


class StockSyncForm(forms.Form):
    """A channel's stock sync settings: on or off, the share of the available units it may sell, and a
    number of units kept back from it (``available × share% // 100 − buffer``, never below 0)."""

    stock_sync_enabled = forms.BooleanField(label=_("Push stock levels to this channel"), required=False)
    stock_share_percent = forms.IntegerField(
        label=_("Share of available stock (%)"),
        min_value=0,
        max_value=100,
        help_text=_("100 sells everything available; 50 offers half of it here (rounded down)."),
    )
    stock_buffer = forms.IntegerField(
        label=_("Units kept back"),
        min_value=0,
        max_value=1_000_000,
        help_text=_("Taken off after the share, so this channel sells out before the others."),
    )

    @classmethod
    def for_channel(cls, channel: ChannelAccount, data=None) -> StockSyncForm:
        initial = {
            "stock_sync_enabled": channel.stock_sync_enabled,
            "stock_share_percent": channel.stock_share_percent,
            "stock_buffer": channel.stock_buffer,
        }
        return cls(data, initial=initial, prefix="stock")
