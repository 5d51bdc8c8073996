import requests
from django.conf import settings


def fetch(url, other):
    requests.get(url, timeout=5, verify=settings.VERIFY_SSL)
    requests.get(url, timeout=5, verify="/etc/ssl/certs/ca.pem")
    other.get(url, verify=False)
    other.verify = False
