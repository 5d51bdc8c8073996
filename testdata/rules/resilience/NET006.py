import requests


def create_account(url, data):
    response = requests.post(url, json=data, timeout=10)
    if response.status_code == 200:  # want: NET006 "only `response.status_code == 200` is checked"
        return response.json()
    else:
        raise Exception("Failed to create account")


def fetch(url):
    r = requests.get(url, timeout=10)
    if r.status_code != 200:  # want: NET006 "`r.status_code != 200`"
        raise RuntimeError("fetch failed")
    return r.json()


def early_return(url):
    r = requests.get(url, timeout=10)
    if 200 == r.status_code:  # want: NET006
        return r.json()
    raise ValueError("bad")
