from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Seeds a demo merchant across every stage; sits on top of everything, nothing imports it."""

    name = "oms.demo"
    label = "demo"
