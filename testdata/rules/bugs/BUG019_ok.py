import time

import requests


def breaks_in_else(url):
    attempt = 0
    while attempt < 5:
        try:
            requests.get(url, timeout=5).raise_for_status()
        except requests.RequestException:
            attempt += 1
        else:
            break


def returns_on_success(url):
    attempt = 0
    while attempt < 5:
        try:
            return requests.get(url, timeout=5).json()
        except requests.RequestException:
            attempt += 1
            time.sleep(attempt)


def counter_moves_every_time(url):
    attempt = 0
    while attempt < 5:
        attempt += 1
        try:
            requests.get(url, timeout=5)
        except requests.RequestException:
            attempt += 1


def daemon(queue):
    failures = 0
    while True:
        try:
            queue.poll()
        except ConnectionError:
            failures += 1


def growing_limit(items, fetch):
    i = 0
    while i < len(items):
        try:
            items.append(fetch())
        except ValueError:
            i += 1


def breaks_under_if(client):
    tries = 0
    while tries < 3:
        try:
            if client.ping():
                break
        except ConnectionError:
            tries += 1


def generator(client):
    n = 0
    while n < 3:
        try:
            yield client.next()
        except ConnectionError:
            n += 1


def with_else(client):
    n = 0
    while n < 3:
        try:
            client.ping()
        except ConnectionError:
            n += 1
    else:
        pass


def nested_loop_break(client, urls):
    n = 0
    while n < 3:
        try:
            for u in urls:
                client.get(u)
                break
        except ConnectionError:
            n += 1
        else:
            return


def raise_on_success(client):
    n = 0
    while n < 3:
        try:
            client.ping()
            raise StopIteration
        except ConnectionError:
            n += 1
