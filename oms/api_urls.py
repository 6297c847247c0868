from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from channels.api.addresses import AddressNormalizeView
from channels.api.views import (
    ChannelViewSet,
    InboundEventViewSet,
    OpenApiOrderViewSet,
    SkuMappingViewSet,
)
from inventory.api import StockAdjustmentView, StockMoveViewSet, StockTransferView, StockViewSet
from oms.catalog.api import ProductViewSet
from oms.locations.api import WarehouseViewSet

router = DefaultRouter()
router.register("orders", OpenApiOrderViewSet, basename="order")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("products", ProductViewSet, basename="product")
router.register("channels", ChannelViewSet, basename="channel")
router.register("inbound-events", InboundEventViewSet, basename="inbound-event")
router.register("sku-mappings", SkuMappingViewSet, basename="sku-mapping")
router.register("stock/moves", StockMoveViewSet, basename="stock-move")
router.register("stock", StockViewSet, basename="stock")

urlpatterns = [
    path(
        "schema/", SpectacularAPIView.as_view(permission_classes=[], authentication_classes=[]), name="schema"
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(
            url_name="api:schema", permission_classes=[], authentication_classes=[]
        ),
        name="docs",
    ),
    path("stock/adjustments/", StockAdjustmentView.as_view(), name="stock-adjustments"),
    path("stock/transfers/", StockTransferView.as_view(), name="stock-transfers"),
    path("addresses/normalize/", AddressNormalizeView.as_view(), name="address-normalize"),
    path("", include(router.urls)),
]
