import httpx
import requests


def fetch(url):
    requests.get(url, timeout=5, verify=False)  # want: NET002 "`requests.get\(..., verify=False\)`"
    httpx.post(url, verify=False)  # want: NET002
    client = httpx.Client(verify=False)  # want: NET002 "`httpx.Client"
    s = requests.Session()
    s.verify = False  # want: NET002 "`s.verify = False`"
    return client
