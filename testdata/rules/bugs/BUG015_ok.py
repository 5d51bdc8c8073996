import functools
import sys


def always(x):
    if x:
        return 1
    else:
        return 2


def until_found(items):
    while True:
        for i in items:
            if i:
                return i


def guarded(x):
    try:
        return int(x)
    except ValueError:
        raise SystemExit(2)


def quits(x):
    if x:
        return x
    sys.exit(1)


def log_only(x):
    print(x)


def abstract():
    raise NotImplementedError


def stub():
    ...


@functools.lru_cache
def cached(x):
    print(x)


def gen():
    yield 1


class Base:
    def value(self):
        print("overridden")


def use(x):
    a = always(x) + 1
    b = until_found([x])[0]
    c = guarded(x).bit_length()
    d = quits(x).real
    log_only(x)
    if log_only(x) is None:
        pass
    e = log_only(x)  # assigned, never used as a value
    f = [i for i in gen()]
    g = cached(x)
    h = Base().value()
    return a, b, c, d, f, g, h, e


def convert_values(values, op):
    # A match whose last case is the wildcard returns on every path
    # (Flagsmith's LaunchDarkly importer).
    match op:
        case "in":
            return [",".join(values)]
        case "endsWith":
            return [".*" + v for v in values]
        case _:
            return list(values)


def convert_or_capture(values, op):
    match op:
        case "in":
            return values
        case other:
            return [other]


def use_conversions(values):
    for value in convert_values(values, "in"):
        print(value)
    return convert_or_capture(values, "x").copy()


def make_request(client, url):
    # The non-2xx branch ends in raise_for_status(): it raises for every
    # failed status (Open edX registrar's REST helper).
    response = client.get(url)
    if 200 <= response.status_code < 300:
        return response
    else:
        response.raise_for_status()


def load(client, url):
    return make_request(client, url).json()
