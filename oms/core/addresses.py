"""Structured addresses: the shape of CONTRACT.md, completed with E.164 phones and Chinese division codes.

Free-text parsing (smart paste) belongs to the channels normalizer; here an address already split into
fields is checked and completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oms.core.phones import phone_to_e164

ADDRESS_FIELDS = (
    "name",
    "phone",
    "country",
    "province",
    "province_code",
    "city",
    "district",
    "detail",
    "postal_code",
    "region_code",
)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass
class AddressResult:
    address: dict
    problems: list[Problem] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None


def is_masked(value: str) -> bool:
    """Platforms hide buyer data after a while as ``王**`` or ``138****8821``: such a value is not data."""
    return "*" in (value or "")


def _clean(value) -> str:
    return " ".join(str(value or "").split())


def address_complete(data: dict | None, *, label: str = "shipping address") -> AddressResult:
    """Trim the fields, put the phone in E.164 and, in China, official names plus the 6-digit code."""
    raw = {key: _clean((data or {}).get(key)) for key in ADDRESS_FIELDS}
    raw["country"] = (raw["country"] or "CN").upper()
    result = AddressResult(address=raw)
    if raw["phone"] and not is_masked(raw["phone"]):
        e164 = phone_to_e164(raw["phone"], raw["country"])
        if e164:
            raw["phone"] = e164
        else:
            result.problems.append(
                Problem("invalid_phone", f"{label}: {raw['phone']!r} is not a valid phone number")
            )
    if raw["country"] == "CN" and (raw["province"] or raw["city"] or raw["district"]):
        from oms.core import divisions

        found = divisions.resolve(raw["province"], raw["city"], raw["district"])
        if found is None:
            result.problems.append(
                Problem(
                    "unknown_region",
                    f"{label}: {raw['province']} {raw['city']} {raw['district']} is not in the division list",
                )
            )
        else:
            raw["province"] = found.province
            raw["city"] = found.city or raw["city"]
            raw["district"] = found.district or raw["district"]
            raw["region_code"] = found.code
            result.latitude, result.longitude = found.latitude, found.longitude
            if not found.district and divisions.children(found.code):
                result.problems.append(
                    Problem("incomplete_address", f"{label}: the district is missing or unknown")
                )
    return result


def address_is_empty(data: dict | None) -> bool:
    return not any(
        _clean((data or {}).get(key)) for key in ("province", "city", "district", "detail", "country")
    )
