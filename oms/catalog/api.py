from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from oms.catalog import services
from oms.catalog.models import Product
from oms.tenancy.api import MerchantScopedMixin


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "title",
            "barcode",
            "weight_grams",
            "attributes",
            "reorder_point",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_sku(self, value: str) -> str:
        value = value.strip()
        merchant = self.context["merchant"]
        clash = Product.objects.for_merchant(merchant).filter(sku=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(f"SKU {value!r} exists already")
        return value

    def validate_attributes(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("attributes must be an object")
        return value


class ProductFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter()
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Product
        fields = ["sku", "is_active"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(sku__icontains=value) | queryset.filter(title__icontains=value)


class ProductViewSet(MerchantScopedMixin, viewsets.ModelViewSet):
    serializer_class = ProductSerializer
    filterset_class = ProductFilter

    def get_queryset(self):
        return Product.objects.for_merchant(self.merchant)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "merchant": self.merchant}

    def perform_create(self, serializer):
        serializer.instance = services.product_create(merchant=self.merchant, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            product=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.product_delete(product=instance)
