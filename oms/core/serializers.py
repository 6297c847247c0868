"""Serializers shared by several apps' APIs."""

from rest_framework import serializers

from oms.core.addresses import ADDRESS_FIELDS

ADDRESS_KEYS = ADDRESS_FIELDS


class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    province = serializers.CharField(required=False, allow_blank=True, max_length=100)
    province_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    district = serializers.CharField(required=False, allow_blank=True, max_length=100)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=500)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    region_code = serializers.CharField(required=False, allow_blank=True, max_length=6)
