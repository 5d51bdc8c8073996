import requests


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


def parse(value):
    try:
        value = int(value)
    except ValueError:  # want: ERR003
        pass
    return value
