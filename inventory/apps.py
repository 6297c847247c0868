from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    label = "inventory"

    def ready(self) -> None:
        from inventory import tasks
        from inventory.selectors import available_by_product
        from inventory.services.allocation import allocations_of
        from oms.catalog.availability import register_reader
        from oms.orders import events
        from oms.orders.extensions import register_section, register_stock_holder

        events.subscribe(events.ORDER_ACCEPTED, tasks.order_allocate_task)
        events.subscribe(events.ORDER_RELEASED, tasks.order_allocate_task)
        events.subscribe(events.ORDER_CHANGED, tasks.order_reallocate_task)
        events.subscribe(events.ORDER_CANCELLED, tasks.order_release_task)
        events.subscribe(events.ORDER_HELD, tasks.order_release_task)
        events.subscribe(events.STOCK_CHANGED, tasks.replenishment_check_task)
        register_section("allocations", allocations_of)
        register_reader(available_by_product)
        register_stock_holder(lambda order: order.allocations.filter(status="active").exists())
