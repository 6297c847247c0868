from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "oms.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from oms.tenancy import schema  # noqa: F401  registers the OpenAPI description of the token auth
