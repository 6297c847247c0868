from __future__ import annotations

from rest_framework import serializers

from oms.core.serializers import ADDRESS_KEYS, AddressSerializer
from oms.orders.extensions import detail_sections
from oms.orders.models import DeliveryMethod, Order, OrderEvent, OrderLine, OrderType, Priority
from oms.orders.types import NewOrder, NewOrderLine


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)


class LineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100, allow_blank=True)
    channel_sku = serializers.CharField(required=False, allow_blank=True, max_length=128)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    variant = serializers.CharField(required=False, allow_blank=True, max_length=200)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)


class OrderCreateSerializer(serializers.Serializer):
    """The standard order as a client sends it (CONTRACT.md); totals are computed when absent."""

    external_id = serializers.CharField(required=False, allow_blank=True, max_length=128)
    external_number = serializers.CharField(required=False, allow_blank=True, max_length=128)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    placed_at = serializers.DateTimeField(required=False)
    priority = serializers.ChoiceField(Priority.choices, default=Priority.NORMAL)
    order_type = serializers.ChoiceField(OrderType.choices, default=OrderType.NORMAL)
    delivery_method = serializers.ChoiceField(DeliveryMethod.choices, default=DeliveryMethod.EXPRESS)
    pickup_location = serializers.CharField(required=False, allow_blank=True, max_length=32)
    customer = CustomerSerializer(required=False)
    shipping_address = AddressSerializer(required=False)
    lines = LineInputSerializer(many=True, allow_empty=False)
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    shipping_total = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    discount_total = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    tax_total = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=50)
    hold = serializers.BooleanField(default=False)

    def to_new_order(self) -> NewOrder:
        data = self.validated_data
        money = {key: data[key] for key in ("shipping_total", "discount_total", "tax_total") if key in data}
        return NewOrder(
            lines=tuple(NewOrderLine(**line) for line in data["lines"]),
            external_id=data.get("external_id", ""),
            external_number=data.get("external_number", ""),
            currency=data.get("currency", "").upper(),
            placed_at=data.get("placed_at"),
            priority=data["priority"],
            order_type=data["order_type"],
            delivery_method=data["delivery_method"],
            pickup_location_code=data.get("pickup_location", ""),
            customer=dict(data.get("customer") or {}),
            shipping_address=dict(data.get("shipping_address") or {}),
            subtotal=data.get("subtotal"),
            total=data.get("total"),
            note=data.get("note", ""),
            tags=tuple(data.get("tags") or ()),
            hold=data["hold"],
            **money,
        )


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["sku", "channel_sku", "title", "variant", "quantity", "unit_price", "total"]


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = OrderEvent
        fields = ["at", "kind", "message", "reason", "actor"]


class ChannelRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    name = serializers.CharField()


class OrderListSerializer(serializers.ModelSerializer):
    channel = ChannelRefSerializer()
    customer = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "channel",
            "external_id",
            "external_number",
            "status",
            "priority",
            "order_type",
            "delivery_method",
            "placed_at",
            "currency",
            "total",
            "customer",
            "region_code",
            "tags",
            "created_at",
        ]

    def get_customer(self, order: Order) -> dict:
        return {"name": order.customer_name, "email": order.customer_email, "phone": order.customer_phone}


class OrderDetailSerializer(OrderListSerializer):
    shipping_address = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True)
    issues = serializers.SerializerMethodField()
    events = OrderEventSerializer(many=True)
    pickup_location = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta(OrderListSerializer.Meta):
        fields = [
            *OrderListSerializer.Meta.fields,
            "subtotal",
            "shipping_total",
            "discount_total",
            "tax_total",
            "shipping_address",
            "pickup_location",
            "lines",
            "note",
            "issues",
            "events",
            "updated_at",
        ]

    def get_shipping_address(self, order: Order) -> dict:
        return {key: order.shipping_address.get(key, "") for key in ADDRESS_KEYS}

    def get_issues(self, order: Order) -> list[dict]:
        return [{"code": issue.code, "message": issue.message} for issue in order.issues.all()]

    def to_representation(self, order: Order) -> dict:
        data = super().to_representation(order)
        data.update(detail_sections(order))
        return data
