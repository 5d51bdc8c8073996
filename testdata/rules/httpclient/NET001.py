import requests
import requests as r
from requests import post, Session


def module_calls(url, data):
    requests.get(url)  # want: NET001 "`requests.get\(...\)` without `timeout=`"
    r.post(url, json=data)  # want: NET001 "`r.post"
    post(url, data=data)  # want: NET001
    requests.request("GET", url)  # want: NET001
    requests.get(url, timeout=None)  # want: NET001 "`requests.get\(..., timeout=None\)` disables the timeout"


def local_session(url):
    s = requests.Session()
    s.get(url)  # want: NET001
    with Session() as session:
        session.post(url)  # want: NET001


class Client:
    def __init__(self):
        self.session = requests.Session()

    def fetch(self, url):
        return self.session.get(url)  # want: NET001 "`self.session.get"


shared = requests.Session()


def uses_module_session(url):
    return shared.delete(url)  # want: NET001
