import requests


class ApiError(Exception):
    pass


def distinguishes(url):
    r = requests.get(url, timeout=10)
    if r.status_code == 200:
        return r.json()
    if r.status_code == 429 or r.status_code >= 500:
        raise ApiError("retry later")
    raise ApiError("rejected")


def passes_status(url):
    r = requests.get(url, timeout=10)
    if r.status_code != 200:
        raise ApiError(r.status_code, r.text)
    return r.json()


def raise_for_status(url):
    r = requests.get(url, timeout=10)
    r.raise_for_status()
    if r.status_code == 200:
        return r.json()
    raise ApiError("unexpected")


def no_raise(url):
    r = requests.get(url, timeout=10)
    if r.status_code == 200:
        return r.json()
    return None


def reraise(url):
    try:
        r = requests.get(url, timeout=10)
        if r.status_code != 200:
            raise
    finally:
        pass


class AvatarDownloadError(Exception):
    pass


def own_exception(url):
    r = requests.get(url, timeout=10)
    if r.status_code != 200:
        raise AvatarDownloadError("could not retrieve avatar")
    return r.content
