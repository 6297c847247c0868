"""Douyin shop (抖店) open platform: order push messages, orders read by ``order.orderDetail``."""
