import httpx
import requests
from urllib.request import urlopen


class RatesClient:
    def fetch(self, currency):
        return requests.get(f"https://rates.example.com/{currency}", timeout=5).json()  # want: NET004 "`RatesClient` calls external services with no retry policy: `requests.get` \(2 calls\)"

    def convert(self, amount):
        return requests.post("https://rates.example.com/convert", json={"a": amount}, timeout=5)


def ping():
    with httpx.Client(timeout=5) as client:
        client.get("https://status.example.com")  # want: NET004 "this module calls external services"


def legacy():
    return urlopen("https://example.com", timeout=5)


class Gravatar:
    def fetch(self, email_hash):
        try:
            return requests.get(f"https://gravatar.example.com/{email_hash}", timeout=5).content  # want: NET004 "`Gravatar` calls external services"
        except requests.RequestException:
            raise RuntimeError("gravatar unavailable")
