import httpx
import requests


def raises(url):
    response = requests.get(url, timeout=5)
    response.raise_for_status()
    return response.json()


def compares(url):
    response = requests.post(url, timeout=5)
    if response.status_code == 200:
        return response.json()
    return None


def truthy(url):
    response = requests.get(url, timeout=5)
    if not response:
        return None
    return response.content


def ok_attr(url):
    response = requests.get(url, timeout=5)
    return response.json() if response.ok else None


def helper(url):
    response = requests.get(url, timeout=5)
    check(response)
    return response.json()


def hooks(url):
    response = requests.get(url, timeout=5, hooks={"response": lambda r, *a, **k: r.raise_for_status()})
    return response.json()


def httpx_success(url):
    r = httpx.get(url)
    if r.is_success:
        return r.json()


def not_http(client, url):
    response = client.get(url)  # Django's test client: unknown
    return response.json()


def check(response):
    response.raise_for_status()
