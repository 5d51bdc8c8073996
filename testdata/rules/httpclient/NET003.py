import httpx
import requests


def get_rate(url):
    response = requests.get(url, timeout=5)
    return response.json()["rate"]  # want: NET003 "`response.json` read without checking the HTTP status"


def chained(url):
    return requests.get(url, timeout=5).json()  # want: NET003 "`requests.get\(...\).json`"


async def fetch(url):
    async with httpx.AsyncClient() as client:
        r = await client.get(url)
        return r.text  # want: NET003


def closure(url):
    session = requests.Session()

    def pages():
        return session.get(url, timeout=3).json()  # want: NET003

    return pages()
