import httpx
import requests
from requests.adapters import HTTPAdapter


def with_timeout(url, **kwargs):
    requests.get(url, timeout=5)
    requests.post(url, timeout=(3.05, 10))
    requests.get(url, **kwargs)
    httpx.get(url)  # httpx has a 5-second default
    with httpx.Client() as client:
        client.get(url)


def mounted(url):
    s = requests.Session()
    s.mount("https://", HTTPAdapter(max_retries=3))
    s.get(url)


def unrelated(cache, client, url):
    cache.get(url)
    client.get(url)  # Django's test client or anything unknown
    {}.get(url)


def other_scope(url):
    s = object()
    return s.get(url)


def creates():
    s = requests.Session()
    return s
