import ast
import json
import pickle

import yaml
from django.core.cache import cache


def import_cart(request):
    return json.loads(request.body)


def cached(key):
    # Origin unknown (the project's own cache): not reported.
    return pickle.loads(cache.get(key))


def literal(request):
    return ast.literal_eval(request.GET["value"])


def config(text, path):
    a = yaml.safe_load(text)
    b = yaml.load(text, Loader=yaml.SafeLoader)
    c = yaml.load(open(path), yaml.CSafeLoader)
    return a, b, c


def expression(formula):
    return eval(formula)


def yaml_load(*args, **kwargs):
    # A safe Loader by default, through the options dict.
    defaults = {"Loader": yaml.SafeLoader}
    defaults.update(kwargs)
    return yaml.load(*args, **defaults)
