from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from oms.core.serializers import ADDRESS_KEYS, AddressSerializer
from oms.locations import services
from oms.locations.models import Location
from oms.tenancy.api import MerchantScopedMixin


class LocationSerializer(serializers.ModelSerializer):
    address = AddressSerializer(required=False)
    capabilities = serializers.ListField(child=serializers.CharField(max_length=32), required=False)

    class Meta:
        model = Location
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "address",
            "region_code",
            "latitude",
            "longitude",
            "capabilities",
            "daily_capacity",
            "opening_hours",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "region_code", "created_at", "updated_at"]

    def validate_code(self, value: str) -> str:
        value = value.strip()
        clash = Location.objects.for_merchant(self.context["merchant"]).filter(code=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(f"code {value!r} exists already")
        return value

    def to_representation(self, location: Location) -> dict:
        data = super().to_representation(location)
        data["address"] = {key: location.address.get(key, "") for key in ADDRESS_KEYS}
        return data


class LocationFilter(django_filters.FilterSet):
    class Meta:
        model = Location
        fields = ["code", "kind", "active"]


class WarehouseViewSet(MerchantScopedMixin, viewsets.ModelViewSet):
    """Warehouses, stores and pickup points (CONTRACT.md calls them all warehouses)."""

    serializer_class = LocationSerializer
    filterset_class = LocationFilter

    def get_queryset(self):
        return Location.objects.for_merchant(self.merchant)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "merchant": self.merchant}

    def perform_create(self, serializer):
        serializer.instance = services.location_create(merchant=self.merchant, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.location_update(
            location=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.location_delete(location=instance)
