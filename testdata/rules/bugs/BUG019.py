import random
import time

import requests


def retry_with_backoff(url, obj_id):
    retries = 10
    x = 0
    while x < retries:  # want: BUG019 "`while x < retries` ends only when `x` moves, and `x` changes only in an except branch"
        try:
            response = requests.post(url, json={"obj_id": obj_id}, timeout=5)
            if response.status_code >= 500:
                response.raise_for_status()
            print("success")
        except (requests.Timeout, requests.HTTPError):
            if x == retries:
                raise
            else:
                time.sleep(2**x + random.uniform(0, 1))
                x += 1


def countdown(client):
    left = 3
    while 0 < left:  # want: BUG019 "`while 0 < left`"
        try:
            client.ping()
        except ConnectionError:
            left = left - 1
