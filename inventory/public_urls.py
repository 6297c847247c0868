"""The suppliers' public report pages, mounted at ``/s/`` (no login: the link's token is the key)."""

from django.urls import path

from inventory import views

app_name = "supplier_public"

urlpatterns = [
    path("<str:token>/", views.supplier_public, name="report"),
]
