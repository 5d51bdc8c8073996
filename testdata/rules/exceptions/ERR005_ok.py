import requests
from django.http import Http404


def fetch(url):
    try:
        return requests.get(url, timeout=5).json()
    except requests.RequestException as e:
        raise RuntimeError("fetch failed") from e


def reraise(url):
    try:
        return requests.get(url, timeout=5)
    except requests.Timeout as e:
        raise e
    except requests.RequestException:
        raise


def dropped(url):
    try:
        return requests.get(url, timeout=5)
    except requests.RequestException:
        raise RuntimeError("fetch failed") from None


def saved(url):
    error = None
    try:
        return requests.get(url, timeout=5)
    except requests.RequestException as e:
        error = e
    if error:
        raise RuntimeError("fetch failed")


def later(tasks):
    try:
        pass
    except OSError as e:
        def callback():
            raise RuntimeError("in a nested function")
        tasks.append(callback)
        raise wrapped_exc


def lookup(model, pk):
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise Http404("no such object")


def clean(value):
    from django.core.exceptions import ValidationError

    try:
        return int(value)
    except ValueError:
        raise ValidationError("enter a whole number")


def api(data):
    try:
        return data["x"]
    except TypeError as e:
        raise RequestBodyValidationException(detail=str(e))


def generic(url):
    # ERR004 reports this statement; ERR005 would only restate it.
    try:
        return requests.get(url, timeout=5).json()
    except requests.RequestException as e:
        raise Exception(f"fetch failed: {e}")
