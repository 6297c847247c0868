from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from channels.webhooks import channel_webhook
from oms.core import views as core_views

urlpatterns = [
    path("api/v1/", include(("oms.api_urls", "api"), namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    path("webhooks/<slug:kind>/<str:token>/", channel_webhook, name="channel_webhook"),
    path("", include("oms.dashboard_urls")),
]
if settings.DEBUG:
    urlpatterns.append(path("admin/", admin.site.urls))
