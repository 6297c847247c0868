"""Youzan (有赞云) open platform: signed order push messages, each answered by reading the order with
``youzan.trade.get``; ``youzan.trades.sold.get`` polled by update time as reconciliation for missed pushes."""
