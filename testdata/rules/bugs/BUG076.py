from django import urls
from django.urls import include, path
from django.urls import path as route

from . import views

urlpatterns = [
    path("/", include("core.urls")),  # want: BUG076 "route \"/\" starts with a slash: Django matches routes against the path without its leading slash, so every route of the included URLconf is reachable only at `//...`"
    path("/wallets/", views.wallets),  # want: BUG076 "so this view is reachable only at `//wallets/...`"
    route(route="/health/", view=views.health),  # want: BUG076 "route \"/health/\""
    urls.path("/admin-tools/", views.tools),  # want: BUG076
]
