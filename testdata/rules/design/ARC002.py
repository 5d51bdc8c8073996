import httpx
import requests


class GalileoService:
    def __init__(self, base_url):
        self.base_url = base_url

    def create_account(self, data):
        return requests.post(f"{self.base_url}/accounts", json=data, timeout=10)  # want: ARC002 "`GalileoService` calls `requests.post` directly instead of a session or client it is given"

    def get_account(self, account_id):
        return requests.get(f"{self.base_url}/accounts/{account_id}", timeout=10)


class RatesClient:
    def fetch(self):
        return httpx.get("https://rates.example.com", timeout=5)  # want: ARC002 "`httpx.get`"
