from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.orders import selectors, services
from oms.orders.api.serializers import OrderDetailSerializer, OrderListSerializer
from oms.orders.models import Order, OrderStatus, Priority
from oms.tenancy.api import MerchantScopedMixin, actor_from_request


class OrderFilter(django_filters.FilterSet):
    channel = django_filters.UUIDFilter(field_name="channel_id")
    external_id = django_filters.CharFilter()
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    region_code = django_filters.CharFilter(field_name="region_code", lookup_expr="startswith")
    placed_after = django_filters.IsoDateTimeFilter(field_name="placed_at", lookup_expr="gte")
    placed_before = django_filters.IsoDateTimeFilter(field_name="placed_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Order
        fields = ["channel", "external_id", "status", "priority", "region_code"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(selectors.order_search_q(value.strip())) if value.strip() else queryset


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class OrderViewSet(
    MerchantScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = OrderFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.order_list(merchant=self.merchant)
        return Order.objects.for_merchant(self.merchant)

    def get_serializer_class(self):
        return OrderListSerializer if self.action == "list" else OrderDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        order = self.get_object()
        return Response(self._detail(order.pk))

    def _detail(self, order_id) -> dict:
        order = selectors.order_get(merchant=self.merchant, order_id=order_id)
        return OrderDetailSerializer(order, context=self.get_serializer_context()).data

    def _change(self, request, service):
        order = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service(
            merchant=self.merchant,
            order_id=order.pk,
            actor=actor_from_request(request),
            reason=body.validated_data.get("reason", ""),
        )
        return Response(self._detail(order.pk))

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._change(request, services.order_cancel)

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._change(request, services.order_hold)

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._change(request, services.order_release)

    @extend_schema(request=ReasonSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def reallocate(self, request, pk=None):
        """Give back the order's stock and allocate it again under the current policy and stock."""
        return self._change(request, services.order_reallocate)
