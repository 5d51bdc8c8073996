import os

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = os.environ.get("DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "accounts",
    "transactions",
    "galileo",
    "notifications",
]

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
}

GALILEO_URL = os.environ["GALILEO_URL"]
GALILEO_API_KEY = os.environ["GALILEO_API_KEY"]
GALILEO_TIMEOUT_SECONDS = float(os.environ.get("GALILEO_TIMEOUT_SECONDS", "5"))
