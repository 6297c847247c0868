from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.location_list, name="locations"),
    path("products/", views.product_list, name="products"),
]
