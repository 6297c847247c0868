from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from channels import intake, services
from channels.adapters.registry import get_adapter
from channels.models import ChannelAccount, ChannelKind, InboundEvent, SkuMapping
from channels.tasks import channel_poll_task
from oms.orders.api.serializers import OrderCreateSerializer, OrderDetailSerializer
from oms.orders.api.views import OrderViewSet
from oms.orders.services import order_create, request_fingerprint
from oms.tenancy.api import MerchantScopedMixin, actor_from_request
from oms.tenancy.permissions import IsMerchantAdmin


class ChannelSerializer(serializers.ModelSerializer):
    webhook_url = serializers.SerializerMethodField()
    webhook_secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=255)
    config = serializers.JSONField(required=False, write_only=True)
    config_keys = serializers.SerializerMethodField()

    class Meta:
        model = ChannelAccount
        fields = [
            "id",
            "kind",
            "name",
            "config",
            "config_keys",
            "webhook_secret",
            "webhook_url",
            "status",
            "last_sync_at",
            "last_error",
            "created_at",
        ]
        read_only_fields = ["id", "last_sync_at", "last_error", "created_at"]

    def get_webhook_url(self, channel: ChannelAccount) -> str:
        return channel.webhook_path

    def get_config_keys(self, channel: ChannelAccount) -> list[str]:
        """Which settings are stored; their values (credentials) are never sent back."""
        return sorted(channel.config)

    def validate_config(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("config must be an object")
        return value


class ChannelViewSet(MerchantScopedMixin, viewsets.ModelViewSet):
    serializer_class = ChannelSerializer
    permission_classes = [IsMerchantAdmin]
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        return ChannelAccount.objects.for_merchant(self.merchant)

    def perform_create(self, serializer):
        serializer.instance = services.channel_create(merchant=self.merchant, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.channel_update(
            channel=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.channel_delete(channel=instance)

    @extend_schema(request=None, responses={202: ChannelSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Poll the platform now. With in-process tasks it has finished when it answers."""
        channel = self.get_object()
        adapter = get_adapter(channel.kind)
        if adapter is None or not adapter.polls:
            raise serializers.ValidationError({"kind": [f"{channel.kind} channels are not polled"]})
        channel_poll_task.delay(str(channel.pk))
        channel.refresh_from_db()
        return Response(self.get_serializer(channel).data, status=status.HTTP_202_ACCEPTED)


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Retry-safe creation: the same key returns the same order; with another body it is a 409.",
)


class OpenApiOrderViewSet(OrderViewSet, viewsets.GenericViewSet):
    """The order endpoints plus ``POST /orders/``: the open API channel of the merchant."""

    @extend_schema(
        request=OrderCreateSerializer, responses={201: OrderDetailSerializer}, parameters=[IDEMPOTENCY_HEADER]
    )
    def create(self, request, *args, **kwargs):
        body = OrderCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        channel = services.channel_for_internal(merchant=self.merchant, kind=ChannelKind.API)
        order, created = order_create(
            merchant=self.merchant,
            channel=channel,
            data=body.to_new_order(),
            actor=actor_from_request(request),
            idempotency_key=request.headers.get("Idempotency-Key", "").strip()[:255],
            request_hash=request_fingerprint(request.data),
        )
        response = Response(self._detail(order.pk), status=status.HTTP_201_CREATED)
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


class InboundEventSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField()

    class Meta:
        model = InboundEvent
        fields = [
            "id",
            "channel",
            "source",
            "external_event_id",
            "topic",
            "status",
            "error",
            "attempts",
            "received_at",
            "processed_at",
            "order_ids",
            "headers",
            "content_type",
            "body",
        ]

    def get_body(self, event: InboundEvent) -> str:
        return bytes(event.body).decode("utf-8", errors="replace")


class InboundEventViewSet(MerchantScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InboundEventSerializer
    filterset_fields = ["channel", "status", "source"]

    def get_queryset(self):
        return InboundEvent.objects.for_merchant(self.merchant).select_related("channel")

    @extend_schema(request=None, responses=InboundEventSerializer)
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        event = self.get_object()
        replayed = intake.inbound_event_replay(merchant=self.merchant, event_id=event.pk)
        return Response(self.get_serializer(replayed).data)


class SkuMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = SkuMapping
        fields = ["id", "channel", "channel_sku", "sku", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_channel(self, channel):
        if channel.merchant_id != self.context["merchant"].pk:
            raise serializers.ValidationError("unknown channel")
        return channel


class SkuMappingViewSet(
    MerchantScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SkuMappingSerializer
    filterset_fields = ["channel", "channel_sku", "sku"]

    def get_queryset(self):
        return SkuMapping.objects.for_merchant(self.merchant)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "merchant": self.merchant}

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "channel" in getattr(serializer, "fields", {}):
            serializer.fields["channel"].queryset = ChannelAccount.objects.for_merchant(self.merchant)
        return serializer

    def perform_create(self, serializer):
        serializer.instance = services.sku_mapping_set(merchant=self.merchant, **serializer.validated_data)
