import requests
from django.db import IntegrityError


def notify(url, payload):
    try:
        requests.post(url, json=payload, timeout=5)
    except requests.RequestException:  # want: ERR003 "`except requests.RequestException` swallows the error"
        pass


def broad(items):
    for item in items:
        try:
            item.save()
        except Exception:  # want: ERR003 "swallows every error"
            continue


def broad_commented(job):
    try:
        job.run()
    except (Exception, ValueError):  # want: ERR003
        # best effort
        ...


def save(obj):
    from django.db import DatabaseError

    try:
        obj.save()
    except DatabaseError:  # want: ERR003
        pass


def transfer(a, b, amount):
    # Not an insert: the duplicate-row reading does not apply.
    try:
        a.withdraw(amount)
        b.deposit(amount)
    except IntegrityError:  # want: ERR003 "`except IntegrityError` swallows the error"
        pass


def notify(client):
    try:
        client.send()
    except Notifier:  # want: ERR003 "`except Notifier` swallows the error"
        pass
