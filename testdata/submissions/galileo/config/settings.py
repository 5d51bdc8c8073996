SECRET_KEY = "django-insecure-7c2f0a9e4b1d8c3a5f6e"
DEBUG = True
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "accounts",
    "transactions",
    "galileo",
    "notifications",
]

GALILEO_URL = "https://api.galileo.example/v1"
GALILEO_API_KEY = "gk_live_51HxQ2eLkdT8b3"
