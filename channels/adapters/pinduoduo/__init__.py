"""Pinduoduo (拼多多) open platform: orders polled by updated time, each read in full by its order number."""
