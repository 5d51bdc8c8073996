import os

INSTALLED_APPS = ["django.contrib.auth"]

ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",")
CORS_ALLOWED_ORIGINS = ["*"]
ALLOWED_HOSTS_DEV = ["*"]
