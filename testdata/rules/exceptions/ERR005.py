import requests


def fetch(url):
    try:
        return requests.get(url, timeout=5).json()
    except requests.RequestException as e:
        raise RuntimeError(f"fetch failed: {e}")  # want: ERR005 "`raise RuntimeError` inside `except` without `from`"


def nested(data):
    try:
        return data["x"]["y"]
    except TypeError:
        if data:
            raise ValueError  # want: ERR005
        raise errors.InvalidPayload("bad")  # want: ERR005 "`raise errors.InvalidPayload`"
