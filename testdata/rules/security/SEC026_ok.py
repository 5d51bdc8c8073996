import os

import environ
from decouple import Csv, config

env = environ.Env(DEBUG=(bool, False), ALLOWED_HOSTS=(list, ["localhost"]))

INSTALLED_APPS = ["django.contrib.auth", "shop"]

ALLOWED_HOSTS = env("ALLOWED_HOSTS")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost"])
ALLOWED_HOSTS = env("OTHER_HOSTS", default=["localhost"])
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", ["localhost"])
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
ALLOWED_HOSTS = [h.strip() for h in os.getenv("HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = config("CSRF_TRUSTED_ORIGINS", cast=Csv())
INTERNAL_IPS = ("127.0.0.1",)
DEBUG = env("DEBUG")
