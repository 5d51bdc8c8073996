import requests


def get_rate(url):
    try:
        return requests.get(url, timeout=5).json()["rate"]
    except requests.RequestException:  # want: ERR006 "`except requests.RequestException` returns `None` silently"
        return None


def broad(job):
    try:
        return job.run()
    except Exception as e:  # want: ERR006
        return


class TokenStore:
    def fetch(self, key):
        try:
            return self.client.get(key)
        except ConnectionError:  # want: ERR006 "`except ConnectionError` returns `None` silently"
            return None


class ImageFiles:
    def open(self, image):
        # None already means "no image": the failure gets low confidence.
        if not image:
            return None
        try:
            return self.storage.open(image)
        except OSError:  # want: ERR006 "`except OSError` returns `None` silently"
            return None


def has_credit(client, account):
    try:
        return client.balance(account) > 0
    except Exception:  # want: ERR006 "for every failure, programming errors included"
        return None
