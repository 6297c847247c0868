from django.urls import path

from oms.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<uuid:order_id>/", views.order_detail, name="detail"),
    path("<uuid:order_id>/cancel/", views.order_cancel, name="cancel"),
    path("<uuid:order_id>/hold/", views.order_hold, name="hold"),
    path("<uuid:order_id>/release/", views.order_release, name="release"),
    path("<uuid:order_id>/reallocate/", views.order_reallocate, name="reallocate"),
]
