from django.apps import AppConfig


class LocationsConfig(AppConfig):
    name = "oms.locations"
    label = "locations"
