import os

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "webhooks",
    "deliveries",
]

WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"]
CELERY_TASK_TIME_LIMIT = 60
