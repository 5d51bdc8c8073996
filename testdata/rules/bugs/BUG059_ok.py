import os
from datetime import date

DEBUG = False


def module_flag():
    if DEBUG:
        return "debug"
    else:
        return "prod"


def rebound(request):
    mode = "sandbox"
    if request.GET.get("live"):
        mode = "live"
    if mode == "live":
        return 1
    else:
        return 2


def parameter(mode="sandbox"):
    if mode == "live":
        return 1
    else:
        return 2


def looped(items):
    found = None
    for found in items:
        pass
    if found is None:
        return 0
    else:
        return found


def lone_switch(client):
    verbose = False
    if verbose:
        print(client)
    return client


def joined(user):
    strict = True
    if strict and user.is_staff:
        return 1
    else:
        return 2


def interpolated(name):
    label = f"{name}"
    if label == "":
        return None
    else:
        return label


def inner_rebinds():
    state = "idle"

    def start():
        nonlocal state
        state = "running"

    start()
    if state == "idle":
        return 0
    else:
        return 1


def from_env():
    today = os.environ.get("TODAY", "")
    if today != "":
        return today
    else:
        return date.today()


def read_before():
    if True:
        pass
    flag = 0
    return flag


def walrus(xs):
    n = 0
    if (n := len(xs)) > 3:
        return n
    if n == 0:
        return None
    else:
        return n


def other_branch(flag):
    if flag:
        mode = "a"
    else:
        pass
    if mode == "a":
        return 1
    else:
        return 2
