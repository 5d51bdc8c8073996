INSTALLED_APPS = ["django.contrib.auth"]

ALLOWED_HOSTS = ["api.example.com", "*"]  # want: SEC008 "`ALLOWED_HOSTS` accepts any `Host` header"
