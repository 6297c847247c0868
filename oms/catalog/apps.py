from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "oms.catalog"
    label = "catalog"
