from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from oms.core.addresses import address_complete
from oms.core.errors import Conflict
from oms.locations.models import Location

FIELDS = (
    "code",
    "name",
    "kind",
    "capabilities",
    "daily_capacity",
    "opening_hours",
    "active",
    "latitude",
    "longitude",
)


def _apply(location: Location, values: dict) -> None:
    for key, value in values.items():
        if key in FIELDS:
            setattr(location, key, value)
    if "address" in values:
        completed = address_complete(values["address"], label="location address")
        location.address = completed.address
        location.region_code = completed.address.get("region_code", "")
        if location.latitude is None and completed.latitude is not None:
            location.latitude = Decimal(str(round(completed.latitude, 6)))
            location.longitude = Decimal(str(round(completed.longitude, 6)))


def location_create(*, merchant, **values) -> Location:
    location = Location(merchant=merchant)
    _apply(location, values)
    try:
        with transaction.atomic():
            location.save()
    except IntegrityError as exc:
        raise Conflict(f"location code {location.code!r} exists already", code="duplicate_code") from exc
    return location


def location_update(*, location: Location, **values) -> Location:
    _apply(location, values)
    try:
        with transaction.atomic():
            location.save()
    except IntegrityError as exc:
        raise Conflict(f"location code {location.code!r} exists already", code="duplicate_code") from exc
    return location


def location_delete(*, location: Location) -> None:
    try:
        location.delete()
    except ProtectedError as exc:
        raise Conflict(f"location {location.code} is in use; deactivate it instead", code="in_use") from exc
