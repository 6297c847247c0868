"""Phone numbers to E.164 with libphonenumber."""

from __future__ import annotations

import phonenumbers


def phone_to_e164(raw: str, country: str = "CN") -> str | None:
    """The E.164 form of ``raw`` (region inferred from ``country`` when no +prefix), or None if invalid."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, (country or "CN").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
