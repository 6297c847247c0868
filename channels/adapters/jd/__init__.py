"""JD (Jingdong) JOS: a polled channel (``jingdong.pop.order.search``)."""
