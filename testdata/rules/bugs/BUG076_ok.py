from django.urls import include, path, re_path

from . import views
from .routing import path as channel_path

PREFIX = "/api/"

urlpatterns = [
    path("", include("core.urls")),
    path("wallets/", views.wallets),
    re_path(r"^/legacy/$", views.legacy),
    path(PREFIX + "x/", views.x),
    path(f"/{PREFIX}y/", views.y),
    channel_path("/ws/", views.socket),
]
