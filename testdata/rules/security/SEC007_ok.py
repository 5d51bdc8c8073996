import os

INSTALLED_APPS = ["django.contrib.auth"]

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
TEMPLATE_DEBUG = True


def configure():
    DEBUG = True
    return DEBUG
