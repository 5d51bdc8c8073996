import os

import environ
from decouple import config

env = environ.Env(DEBUG=(bool, False), ALLOWED_HOSTS=(str, "localhost"))

INSTALLED_APPS = ["django.contrib.auth", "shop"]

ALLOWED_HOSTS = env("ALLOWED_HOSTS")  # want: SEC026 "`ALLOWED_HOSTS` is a string \(`env\(...\)`, declared `str` in the Env's schema\), not a list: Django matches the Host header against each character"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS")  # want: SEC026 "`ALLOWED_HOSTS` is a string \(`os.environ.get\(...\)`\)"
ALLOWED_HOSTS = os.getenv("HOSTS", "localhost,127.0.0.1")  # want: SEC026 "`os.getenv\(...\)`"
ALLOWED_HOSTS = "localhost"  # want: SEC026 "a string literal"
CSRF_TRUSTED_ORIGINS = config("CSRF_TRUSTED_ORIGINS")  # want: SEC026 "`CSRF_TRUSTED_ORIGINS` is a string \(`config\(...\)` without `cast=`\), not a list: Django takes each character for an origin"
CORS_ALLOWED_ORIGINS = env.str("CORS_ORIGINS")  # want: SEC026 "`env.str\(...\)`"
INTERNAL_IPS = os.environ["INTERNAL_IPS"]  # want: SEC026 "substring test"
