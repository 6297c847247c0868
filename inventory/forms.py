"""Forms of the inventory pages: stock adjustments and transfers, locations, products, the allocation policy,
suppliers and CSV imports. They check shapes; the services decide (and their refusals come back as messages).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from inventory.catalog_admin import Component
from inventory.models import Preference, ShortagePolicy, Supplier
from oms.locations.models import Location, LocationKind
from oms.orders.models import Order

CAPABILITIES = [
    ("cold_chain", _("Cold chain")),
    ("same_city", _("Same-city delivery")),
    ("pickup", _("Pickup")),
]
WEEKDAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]
HOURS = re.compile(r"^\d{2}:\d{2}-\d{2}:\d{2}(\s*,\s*\d{2}:\d{2}-\d{2}:\d{2})*$")
NUMERIC = {"inputmode": "numeric"}


def _codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,，;；]+", text or "") if code]


class StockFilterForm(forms.Form):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("SKU, title or barcode")}),
    )
    low = forms.BooleanField(label=_("Low stock only"), required=False)


class StockAdjustForm(forms.Form):
    RECEIPT, COUNT, ADJUSTMENT = "receipt", "count", "adjustment"
    KINDS = [
        (RECEIPT, _("Receipt: units arrived")),
        (COUNT, _("Count: set on hand to what was counted")),
        (ADJUSTMENT, _("Adjustment: add or remove units (with a reason)")),
    ]

    location = forms.ModelChoiceField(label=_("Location"), queryset=None, to_field_name="code")
    sku = forms.CharField(label=_("SKU"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS, initial=RECEIPT)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        required=False,
        help_text=_("Receipt: units received. Count: units counted. Adjustment: +/- units."),
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    safety = forms.IntegerField(
        label=_("Safety stock"),
        required=False,
        min_value=0,
        help_text=_("Leave empty to keep it."),
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    reorder_point = forms.IntegerField(
        label=_("Reorder point at this location"),
        required=False,
        min_value=0,
        help_text=_("Leave empty to keep it; the product's reorder point applies until one is set."),
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.for_merchant(merchant).order_by("code")

    def clean(self):
        data = super().clean()
        kind, quantity = data.get("kind"), data.get("quantity")
        if quantity is None:
            if data.get("safety") is None and data.get("reorder_point") is None:
                self.add_error("quantity", _("Give a quantity, a safety stock or a reorder point."))
            return data
        if kind == self.RECEIPT and quantity <= 0:
            self.add_error("quantity", _("A receipt adds at least one unit."))
        elif kind == self.COUNT and quantity < 0:
            self.add_error("quantity", _("A count cannot be negative."))
        elif kind == self.ADJUSTMENT:
            if quantity == 0:
                self.add_error("quantity", _("An adjustment changes at least one unit."))
            if not data.get("reason", "").strip():
                self.add_error("reason", _("Say why stock is adjusted."))
        return data


class StockTransferForm(forms.Form):
    source = forms.ModelChoiceField(label=_("From"), queryset=None, to_field_name="code")
    destination = forms.ModelChoiceField(label=_("To"), queryset=None, to_field_name="code")
    sku = forms.CharField(label=_("SKU"), max_length=100)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, widget=forms.NumberInput(attrs=NUMERIC))
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        locations = Location.objects.for_merchant(merchant).order_by("code")
        self.fields["source"].queryset = locations
        self.fields["destination"].queryset = locations

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("destination"):
            self.add_error("destination", _("Choose another location than the source."))
        return data


class TransferSuggestionForm(forms.Form):
    sku = forms.CharField(max_length=100)
    source = forms.CharField(max_length=32)
    destination = forms.CharField(max_length=32)
    quantity = forms.IntegerField(min_value=1)


class AllocationPolicyForm(forms.Form):
    preference = forms.ChoiceField(label=_("Preference"), choices=Preference.choices)
    allow_split = forms.BooleanField(label=_("Allow splitting an order across locations"), required=False)
    shortage = forms.ChoiceField(label=_("When stock is short"), choices=ShortagePolicy.choices)
    location_priority = forms.CharField(
        label=_("Location priority"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "SZ1\nGZ1"}),
        help_text=_("Location codes, first preferred first; one per line or separated by commas."),
    )

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_codes = set(Location.objects.for_merchant(merchant).values_list("code", flat=True))
        channel_model = Order._meta.get_field("channel").related_model
        self.channels = list(channel_model.objects.for_merchant(merchant).order_by("name"))
        for channel in self.channels:
            self.fields[f"holdback_{channel.pk}"] = forms.IntegerField(
                label=channel.name,
                required=False,
                min_value=0,
                widget=forms.NumberInput(attrs=NUMERIC),
            )

    @classmethod
    def initial_from(cls, policy) -> dict:
        initial = {
            "preference": policy.preference,
            "allow_split": policy.allow_split,
            "shortage": policy.shortage,
            "location_priority": "\n".join(policy.location_priority or []),
        }
        for channel_id, units in (policy.channel_holdback or {}).items():
            initial[f"holdback_{channel_id}"] = units
        return initial

    def holdback_fields(self):
        return [self[f"holdback_{channel.pk}"] for channel in self.channels]

    def clean_location_priority(self) -> list[str]:
        codes = _codes(self.cleaned_data.get("location_priority", ""))
        unknown = [code for code in codes if code not in self.known_codes]
        if unknown:
            raise forms.ValidationError(
                _("Unknown location code(s): %(codes)s") % {"codes": ", ".join(unknown)}
            )
        if len(set(codes)) != len(codes):
            raise forms.ValidationError(_("A location is listed twice."))
        return codes

    def channel_holdback(self) -> dict[str, int]:
        return {
            str(channel.pk): self.cleaned_data[f"holdback_{channel.pk}"]
            for channel in self.channels
            if self.cleaned_data.get(f"holdback_{channel.pk}")
        }


class LocationForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32, allow_unicode=True)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=LocationKind.choices)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    province = forms.CharField(label=_("Province"), max_length=50, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    district = forms.CharField(label=_("District"), max_length=50, required=False)
    detail = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=12, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities"), choices=CAPABILITIES, required=False, widget=forms.CheckboxSelectMultiple
    )
    daily_capacity = forms.IntegerField(
        label=_("Daily capacity (orders)"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=60,
                widget=forms.TextInput(attrs={"placeholder": "09:00-18:00"}),
            )

    @classmethod
    def initial_from(cls, location: Location) -> dict:
        address = location.address or {}
        initial = {
            "code": location.code,
            "name": location.name,
            "kind": location.kind,
            "contact_name": address.get("name", ""),
            "phone": address.get("phone", ""),
            "province": address.get("province", ""),
            "city": address.get("city", ""),
            "district": address.get("district", ""),
            "detail": address.get("detail", ""),
            "postal_code": address.get("postal_code", ""),
            "latitude": location.latitude,
            "longitude": location.longitude,
            "capabilities": list(location.capabilities or []),
            "daily_capacity": location.daily_capacity,
            "active": location.active,
        }
        for day, _label in WEEKDAYS:
            initial[f"hours_{day}"] = (location.opening_hours or {}).get(day, "")
        return initial

    def hour_fields(self):
        return [self[f"hours_{day}"] for day, _label in WEEKDAYS]

    def clean(self):
        data = super().clean()
        for day, _label in WEEKDAYS:
            value = (data.get(f"hours_{day}") or "").strip()
            if value and not HOURS.match(value):
                self.add_error(
                    f"hours_{day}", _("Write hours as 09:00-18:00 (several: 09:00-12:00, 14:00-18:00).")
                )
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data["name"],
            "kind": data["kind"],
            "address": {
                "name": data["contact_name"],
                "phone": data["phone"],
                "country": "CN",
                "province": data["province"],
                "city": data["city"],
                "district": data["district"],
                "detail": data["detail"],
                "postal_code": data["postal_code"],
            },
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "capabilities": list(data["capabilities"]),
            "daily_capacity": data["daily_capacity"],
            "opening_hours": {
                day: data[f"hours_{day}"].strip()
                for day, _label in WEEKDAYS
                if data.get(f"hours_{day}", "").strip()
            },
            "active": data["active"],
        }


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=300)
    barcode = forms.CharField(label=_("Barcode"), max_length=64, required=False)
    weight_grams = forms.IntegerField(
        label=_("Weight (g)"), min_value=0, initial=0, widget=forms.NumberInput(attrs=NUMERIC)
    )
    length_mm = forms.IntegerField(
        label=_("Length (mm)"), min_value=0, initial=0, widget=forms.NumberInput(attrs=NUMERIC)
    )
    width_mm = forms.IntegerField(
        label=_("Width (mm)"), min_value=0, initial=0, widget=forms.NumberInput(attrs=NUMERIC)
    )
    height_mm = forms.IntegerField(
        label=_("Height (mm)"), min_value=0, initial=0, widget=forms.NumberInput(attrs=NUMERIC)
    )
    fresh = forms.BooleanField(label=_("Fresh (cold chain)"), required=False)
    fragile = forms.BooleanField(label=_("Fragile"), required=False)
    custom = forms.BooleanField(label=_("Custom-made"), required=False)
    presale = forms.BooleanField(label=_("Presale"), required=False)
    reorder_point = forms.IntegerField(
        label=_("Reorder point"),
        min_value=0,
        initial=0,
        help_text=_("The default of every location; a location may have its own."),
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    components = forms.CharField(
        label=_("Bundle components"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "TEA-1 2\nCUP-1 1"}),
        help_text=_("A kit: one component per line, its SKU and how many go in one bundle."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    FLAGS = ("fresh", "fragile", "custom", "presale")

    @classmethod
    def initial_from(cls, product, components) -> dict:
        attributes = product.attributes or {}
        return {
            "sku": product.sku,
            "title": product.title,
            "barcode": product.barcode,
            "weight_grams": product.weight_grams,
            "length_mm": product.length_mm,
            "width_mm": product.width_mm,
            "height_mm": product.height_mm,
            "reorder_point": product.reorder_point,
            "is_active": product.is_active,
            "components": "\n".join(f"{row.component.sku} {row.quantity}" for row in components),
            **{flag: bool(attributes.get(flag)) for flag in cls.FLAGS},
        }

    def clean_components(self) -> list[Component]:
        found = []
        for number, line in enumerate((self.cleaned_data.get("components") or "").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            quantity = parts[1] if len(parts) > 1 else "1"
            if len(parts) > 2 or not quantity.isdigit() or int(quantity) < 1:
                raise forms.ValidationError(
                    _("Line %(number)s: write a SKU and a whole number ≥ 1, such as “TEA-1 2”.")
                    % {"number": number}
                )
            found.append(Component(sku=parts[0], quantity=int(quantity)))
        if len({component.sku for component in found}) != len(found):
            raise forms.ValidationError(_("A component is listed twice."))
        return found

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in (
                "sku",
                "title",
                "barcode",
                "weight_grams",
                "length_mm",
                "width_mm",
                "height_mm",
                "reorder_point",
                "is_active",
            )
        }

    def flags(self) -> dict[str, bool]:
        return {flag: self.cleaned_data[flag] for flag in self.FLAGS}


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = [
            "name",
            "contact_name",
            "email",
            "phone",
            "lead_time_days",
            "currency",
            "notes",
            "active",
            "digest_enabled",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"digest_enabled": _("Email this supplier its stock report every week.")}

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise forms.ValidationError(_("A three-letter currency code, such as CNY."))
        return currency

    def clean(self):
        data = super().clean()
        if data.get("digest_enabled") and not data.get("email"):
            self.add_error("email", _("The weekly email needs an email address."))
        return data


class SupplierProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=100)
    supplier_sku = forms.CharField(label=_("Supplier SKU"), max_length=100, required=False)
    pack_size = forms.IntegerField(
        label=_("Pack size"), min_value=1, initial=1, widget=forms.NumberInput(attrs=NUMERIC)
    )
    lead_time_days = forms.IntegerField(
        label=_("Lead time override (days)"),
        required=False,
        min_value=0,
        max_value=365,
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    unit_cost = forms.DecimalField(
        label=_("Unit cost"),
        max_digits=14,
        decimal_places=4,
        initial=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class ImportForm(forms.Form):
    KINDS = [("products", _("Products")), ("stock", _("Stock counts"))]

    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=KINDS, widget=forms.RadioSelect, initial="products"
    )
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 (with or without BOM) or GBK/GB18030."))
