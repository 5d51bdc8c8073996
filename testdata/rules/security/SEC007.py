import environ

env = environ.Env()

INSTALLED_APPS = ["django.contrib.auth"]

DEBUG = True  # want: SEC007 "`DEBUG = True` in a settings module"

if env.bool("PROD", default=False):
    DEBUG = env.bool("DJANGO_DEBUG", default=True)  # want: SEC007 "defaults to `True`"
