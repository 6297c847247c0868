from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    label = "channels"
    verbose_name = "Sales channels"

    def ready(self) -> None:
        from channels import tasks
        from oms.orders import events

        # Stock levels flow back to the shops through the core's event (channels never import inventory).
        events.subscribe(events.STOCK_CHANGED, tasks.stock_changed_mark_task)
