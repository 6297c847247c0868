"""``POST /api/v1/addresses/normalize/``: free text (smart paste) or address fields → the standard address."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from channels.normalize.address import normalize_address
from channels.normalize.paste import parse_contact
from oms.core import divisions
from oms.core.addresses import address_complete
from oms.tenancy.permissions import IsMerchantMember

_FIELDS = (
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


class ReadOnlyPost(IsMerchantMember):
    """Tenant access as for a GET: normalizing stores and changes nothing, so a read token or any member may.

    ``IsMerchantMember`` asks for the write scope on any method outside SAFE_METHODS; this class checks the
    same rules with the request seen as a read.
    """

    def has_permission(self, request, view) -> bool:
        return super().has_permission(_AsRead(request), view)


class _AsRead:
    """The request seen as a GET; all else (auth, user, session, caches) is the request's own."""

    method = "GET"

    def __init__(self, request):
        object.__setattr__(self, "_request", request)

    def __getattr__(self, name):
        return getattr(self._request, name)

    def __setattr__(self, name, value):
        setattr(self._request, name, value)


class AddressNormalizeSerializer(serializers.Serializer):
    address = serializers.JSONField(
        help_text='Pasted text ("张三 13800138000 广东省…") or the fields of the standard address.'
    )
    country = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")

    def validate_address(self, value):
        if isinstance(value, str):
            if not value.strip():
                raise serializers.ValidationError("This field may not be blank.")
            if len(value) > 2000:
                raise serializers.ValidationError("Ensure this field has no more than 2000 characters.")
            return value
        if isinstance(value, dict):
            fields = {key: value.get(key) for key in _FIELDS if key in value}
            bad = [key for key, item in fields.items() if item is not None and not isinstance(item, str)]
            if bad:
                raise serializers.ValidationError(f"These fields must be text: {', '.join(sorted(bad))}.")
            if not any((item or "").strip() for item in fields.values()):
                raise serializers.ValidationError("The address has no fields.")
            return fields
        raise serializers.ValidationError("Give the address as text or as an object of address fields.")


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class NormalizedAddressSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField(help_text="E.164 when valid, else as given")
    country = serializers.CharField()
    province = serializers.CharField()
    province_code = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()
    detail = serializers.CharField()
    postal_code = serializers.CharField()
    region_code = serializers.CharField(help_text="6-digit Chinese division code, empty elsewhere")
    latitude = serializers.FloatField(allow_null=True, help_text="GCJ-02, the division's seat")
    longitude = serializers.FloatField(allow_null=True)
    problems = ProblemSerializer(many=True)


def address_normalize(address: str | dict, country: str = "") -> dict:
    """The normalized address with point and problems, from pasted text or from fields."""
    if isinstance(address, str):
        parsed = parse_contact(address, country or "CN")
        problems = list(parsed.pop("problems"))
    else:
        parsed = normalize_address({**address, "country": address.get("country") or country})
        problems = []
    completed = address_complete(parsed, label="address")
    out = {key: completed.address.get(key, "") for key in _FIELDS}
    if out["country"] != "CN":
        out["region_code"] = ""
    seen = {problem["code"] for problem in problems}
    for problem in completed.problems:
        if problem.code not in seen:
            problems.append({"code": problem.code, "message": problem.message})
            seen.add(problem.code)
    if isinstance(address, dict):
        for key, code in (("phone", "missing_phone"), ("name", "missing_name")):
            if not out[key] and code not in seen:
                problems.append({"code": code, "message": f"no {key} given"})
    latitude, longitude = completed.latitude, completed.longitude
    if latitude is None and out["region_code"]:
        # A division too new for seat data: the point of the level above.
        for code in (out["region_code"][:4] + "00", out["region_code"][:2] + "0000"):
            parent = divisions.by_code(code)
            if parent and parent.latitude is not None:
                latitude, longitude = parent.latitude, parent.longitude
                break
    return {**out, "latitude": latitude, "longitude": longitude, "problems": problems}


class AddressNormalizeView(APIView):
    """Split and complete an address: pasted text (name, phone and address in one string) or fields.

    Reads only: any member of the merchant or a token with the read scope may call it.
    """

    permission_classes = [ReadOnlyPost]

    @extend_schema(request=AddressNormalizeSerializer, responses={200: NormalizedAddressSerializer})
    def post(self, request):
        body = AddressNormalizeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = address_normalize(body.validated_data["address"], body.validated_data.get("country", ""))
        return Response(NormalizedAddressSerializer(data).data)
