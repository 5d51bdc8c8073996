import requests


class GalileoService:
    def __init__(self, base_url, session=None):
        self.base_url = base_url
        self.session = session or requests.Session()

    def create_account(self, data):
        return self.session.post(f"{self.base_url}/accounts", json=data, timeout=10)


def fetch_rates():
    # a plain function, not a service class
    return requests.get("https://rates.example.com", timeout=5)


class Exporter:
    def export(self):
        return requests.post("https://example.com", timeout=5)
