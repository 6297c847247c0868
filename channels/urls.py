from django.urls import path

from channels import views

app_name = "channels"

urlpatterns = [
    path("", views.channel_list, name="list"),
    path("new/", views.channel_create, name="create"),
    path("<uuid:channel_id>/", views.channel_detail, name="detail"),
]
