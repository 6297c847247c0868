from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.location_list, name="locations"),
    path("locations/new/", views.location_create, name="location_create"),
    path("locations/<uuid:location_id>/edit/", views.location_edit, name="location_edit"),
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<uuid:product_id>/edit/", views.product_edit, name="product_edit"),
    path("products/<uuid:product_id>/ledger/", views.product_ledger, name="product_ledger"),
    path("stock/", views.stock_grid, name="stock"),
    path("stock/adjust/", views.stock_adjust, name="adjust"),
    path("stock/transfer/", views.stock_transfer, name="transfer"),
    path("policy/", views.allocation_policy, name="policy"),
    path("purchasing/", views.purchasing, name="purchasing"),
    path("alerts/<uuid:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("transfers/", views.transfer_suggestions, name="transfers"),
    path("transfers/apply/", views.transfer_suggestion_apply, name="transfer_apply"),
    path("suppliers/", views.supplier_list, name="suppliers"),
    path("suppliers/<uuid:supplier_id>/", views.supplier_detail, name="supplier_detail"),
    path("suppliers/<uuid:supplier_id>/products/", views.supplier_product_save, name="supplier_product_save"),
    path(
        "suppliers/<uuid:supplier_id>/products/<uuid:link_id>/remove/",
        views.supplier_product_remove,
        name="supplier_product_remove",
    ),
    path("suppliers/<uuid:supplier_id>/link/", views.supplier_link_issue, name="supplier_link_issue"),
    path(
        "suppliers/<uuid:supplier_id>/link/revoke/", views.supplier_link_revoke, name="supplier_link_revoke"
    ),
    path(
        "suppliers/<uuid:supplier_id>/purchase-list.csv",
        views.supplier_purchase_csv,
        name="supplier_purchase_csv",
    ),
    path("import/", views.import_upload, name="import"),
    path("import/template/<slug:kind>.csv", views.import_template, name="import_template"),
]
