from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.models import StockLevel, StockMove
from inventory.services import stock
from oms.tenancy.api import MerchantScopedMixin, actor_from_request


class StockLevelSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="location.code")
    sku = serializers.CharField(source="product.sku")
    available = serializers.IntegerField()

    class Meta:
        model = StockLevel
        fields = ["warehouse", "sku", "on_hand", "allocated", "safety", "available", "updated_at"]


class StockViewSet(MerchantScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Levels per location and SKU; filter with ``?sku=`` and ``?warehouse=`` (codes)."""

    serializer_class = StockLevelSerializer

    def get_queryset(self):
        levels = StockLevel.objects.for_merchant(self.merchant).select_related("location", "product")
        if self.request.query_params.get("sku"):
            levels = levels.filter(product__sku=self.request.query_params["sku"])
        if self.request.query_params.get("warehouse"):
            levels = levels.filter(location__code=self.request.query_params["warehouse"])
        return levels.order_by("product__sku", "location__code")


class AdjustmentSerializer(serializers.Serializer):
    warehouse = serializers.CharField(max_length=32)
    sku = serializers.CharField(max_length=100)
    delta = serializers.IntegerField(required=False)
    set_on_hand = serializers.IntegerField(required=False, min_value=0)
    safety = serializers.IntegerField(required=False, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    kind = serializers.ChoiceField(["adjustment", "receipt", "count", "return"], required=False)

    def validate(self, data):
        given = [key for key in ("delta", "set_on_hand") if key in data]
        if len(given) > 1 or (not given and "safety" not in data):
            raise serializers.ValidationError({"delta": ["give exactly one of delta or set_on_hand"]})
        return data


class StockAdjustmentView(MerchantScopedMixin, APIView):
    @extend_schema(request=AdjustmentSerializer, responses={201: StockLevelSerializer})
    def post(self, request):
        body = AdjustmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        level = stock.stock_adjust(
            merchant=self.merchant,
            warehouse=data["warehouse"],
            sku=data["sku"],
            delta=data.get("delta"),
            set_on_hand=data.get("set_on_hand"),
            safety=data.get("safety"),
            reason=data.get("reason", ""),
            kind=data.get("kind") or ("receipt" if (data.get("delta") or 0) > 0 else "adjustment"),
            actor=actor_from_request(request),
        )
        level = StockLevel.objects.select_related("location", "product").get(pk=level.pk)
        return Response(StockLevelSerializer(level).data, status=status.HTTP_201_CREATED)


class TransferSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=32)
    destination = serializers.CharField(max_length=32)
    sku = serializers.CharField(max_length=100)
    quantity = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class StockTransferView(MerchantScopedMixin, APIView):
    @extend_schema(request=TransferSerializer, responses={201: StockLevelSerializer(many=True)})
    def post(self, request):
        body = TransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        out, into = stock.stock_transfer(
            merchant=self.merchant, actor=actor_from_request(request), **body.validated_data
        )
        levels = StockLevel.objects.select_related("location", "product").filter(pk__in=[out.pk, into.pk])
        return Response(StockLevelSerializer(levels, many=True).data, status=status.HTTP_201_CREATED)


class StockMoveSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="location.code")
    sku = serializers.CharField(source="product.sku")
    order = serializers.UUIDField(source="order_id", allow_null=True)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "created_at",
            "warehouse",
            "sku",
            "kind",
            "on_hand_delta",
            "allocated_delta",
            "safety_delta",
            "order",
            "reason",
            "reference",
            "actor_label",
        ]


class StockMoveViewSet(MerchantScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The ledger, newest first; filter with ``?sku=`` and ``?warehouse=``."""

    serializer_class = StockMoveSerializer

    def get_queryset(self):
        moves = StockMove.objects.for_merchant(self.merchant).select_related("location", "product")
        if self.request.query_params.get("sku"):
            moves = moves.filter(product__sku=self.request.query_params["sku"])
        if self.request.query_params.get("warehouse"):
            moves = moves.filter(location__code=self.request.query_params["warehouse"])
        return moves
