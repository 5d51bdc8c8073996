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


def fetch_rate(currency):
    try:
        resp = requests.get("https://rates.example.com/" + currency, timeout=5)
        resp.raise_for_status()
    except requests.RequestException:
        logger.warning("rate lookup failed for %s", currency)
    return resp.json()["rate"]  # want: BUG053 "`resp` is assigned on some paths only \(the `try` whose `except` goes on without it, line 21\)"



def pick_region(rows, default_region):
    if rows:
        region = rows[0].region
    return region or default_region  # want: BUG053 "`region` is assigned on some paths only \(the `if` with no `else` that assigns it, line 31\)"


def reproject(epsg, proj):
    if epsg is not None:
        srs = "EPSG:%d" % epsg
    elif proj is not None:
        srs = proj
    return srs.upper()  # want: BUG053 "`srs` is assigned on some paths only"


def first_word(text):
    # split() with no separator gives no part for an empty text.
    words = text.split()
    if len(words) > 1:
        head = words[0]
    elif len(words) == 1:
        head = words[0]
    return head  # want: BUG053 "`head` is assigned on some paths only"


def mailbox_label(obj):
    # Sent and in the trash meets no branch.
    if obj.sent and not obj.trash:
        label = "sent"
    elif obj.incoming:
        label = "inbox"
    elif not any((obj.incoming, obj.sent, obj.trash)):
        label = "outbox"
    return label  # want: BUG053 "`label` is assigned on some paths only"


def send_sms_any_error(url, data):
    import logging

    import requests

    try:
        response = requests.post(url, data=data, timeout=5)
        response.raise_for_status()
    except requests.exceptions.RequestException:
        logging.getLogger(__name__).exception("SMS send failed")
    return response  # want: BUG053 "`response` is assigned on some paths only"


def view_names_checked(entity_type, strict):
    # An assert that may hold does not end the branch.
    if entity_type == "ccg":
        view_name = "ccg_home"
    else:
        assert strict, entity_type
    return view_name  # want: BUG053 "`view_name` is assigned on some paths only"


def pick_gap(rows, make):
    # Two rows or more fall through: `chosen` is unbound there.
    if rows and len(rows) == 1:
        chosen = rows[0]
    elif not rows:
        chosen = make()
    return chosen  # want: BUG053 "`chosen` is assigned on some paths only"


def literal_after_call(request):
    try:
        date = parse_date(request.GET["date"])
        custom = True
    except Exception:
        date = None
    return date, custom  # want: BUG053 "`custom` is assigned on some paths only"
