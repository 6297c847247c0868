from django.urls import path

from channels import views

app_name = "channels"

urlpatterns = [
    path("", views.channel_list, name="list"),
    path("new/", views.channel_create, name="create"),
    path("<uuid:channel_id>/", views.channel_detail, name="detail"),
    path("<uuid:channel_id>/settings/", views.channel_credentials, name="credentials"),
    path("<uuid:channel_id>/sync/", views.channel_sync, name="sync"),
    path("<uuid:channel_id>/pause/", views.channel_pause, name="pause"),
    path("<uuid:channel_id>/resume/", views.channel_resume, name="resume"),
    path("events/", views.event_list, name="events"),
    path("events/<uuid:event_id>/", views.event_detail, name="event_detail"),
    path("events/<uuid:event_id>/body/", views.event_body, name="event_body"),
    path("events/<uuid:event_id>/replay/", views.event_replay, name="event_replay"),
    path("mappings/", views.mapping_list, name="mappings"),
    path("mappings/replay/", views.mapping_replay, name="mapping_replay"),
    path("mappings/<uuid:mapping_id>/delete/", views.mapping_delete, name="mapping_delete"),
    path("store/new/", views.store_order, name="store_order"),
    path("store/products/", views.store_products, name="store_products"),
    path("store/paste/", views.store_paste, name="store_paste"),
    path("store/orders/<uuid:order_id>/", views.store_order_done, name="store_order_done"),
    path("import/", views.import_start, name="import"),
    path("import/template.<str:file_format>", views.import_template, name="import_template"),
    path("import/<uuid:job_id>/", views.import_detail, name="import_detail"),
]
