import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings.dev")

app = Celery("oms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
