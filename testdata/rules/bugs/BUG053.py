import logging

import requests

logger = logging.getLogger(__name__)


def send_all(clients, text):
    for client in clients:
        resp = requests.post("https://sms.example.com/send", json={"to": client.phone, "text": text}, timeout=5)
        if resp.status_code == 200:
            if resp.json()["message"] == "OK":
                status = True
        else:
            status = False
        client.last_status = status  # want: BUG053 "`status` is assigned on some paths only \(the `if` with no `else` that assigns it, line 11\) and read here on every path: where it was skipped this line raises `UnboundLocalError` \(in a later turn of the loop"
        client.save()


def fee_for(kind, amount):
    if kind == "card":
        fee = amount * 2 / 100
    elif kind == "bank":
        fee = 1
    return amount + fee  # want: BUG053 "`fee` is assigned on some paths only \(the `if` with no `else` that assigns it, line 21\)"


def fetch_rate(currency):
    try:
        resp = requests.get("https://rates.example.com/" + currency, timeout=5)
        resp.raise_for_status()
    except requests.RequestException:
        logger.warning("rate lookup failed for %s", currency)
    return resp.json()["rate"]  # want: BUG053 "`resp` is assigned on some paths only \(the `try` whose `except` goes on without it, line 29\)"


def open_enum(command, total):
    if command == "r":
        axis = "+x"
    elif command == "d":
        axis = "-y"
    else:
        axis = command
    if axis == "+x":
        point = (total, 0)
    elif axis == "-y":
        point = (0, -total)
    return point  # want: BUG053 "`point` is assigned on some paths only"
