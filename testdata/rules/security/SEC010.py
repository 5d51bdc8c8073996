import base64
import pickle

import requests
import yaml
from django.http import JsonResponse


def import_cart(request):
    cart = pickle.loads(request.body)  # want: SEC010 "`pickle.loads` on untrusted data \(`request.body`\)"
    return JsonResponse({"items": len(cart)})


def from_cookie(request):
    raw = base64.b64decode(request.COOKIES["state"])
    return pickle.loads(raw)  # want: SEC010 "\(`raw`\)"


def remote():
    resp = requests.get("https://partner.example.com/state", timeout=5)
    return pickle.loads(resp.content)  # want: SEC010 "`resp.content`"


def calc(request):
    return eval(request.GET["expr"])  # want: SEC010 "`eval` on untrusted data"


def config(path):
    with open(path) as f:
        return yaml.load(f)  # want: SEC010 "`yaml.load` without `SafeLoader`"


def config_full(text):
    return yaml.load(text, Loader=yaml.Loader)  # want: SEC010
