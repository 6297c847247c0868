from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from oms.core import views as core_views

urlpatterns = [
    path("api/v1/", include(("oms.api_urls", "api"), namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("oms.dashboard_urls")),
]
if settings.DEBUG:
    urlpatterns.append(path("admin/", admin.site.urls))
