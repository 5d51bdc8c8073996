import logging

import requests

logger = logging.getLogger(__name__)


def with_else(resp):
    if resp.status_code == 200:
        status = True
    else:
        status = False
    return status


def with_default(resp):
    status = None
    if resp.status_code == 200:
        status = True
    return status


def branch_leaves(kind, amount):
    if kind == "card":
        fee = 2
    elif kind == "bank":
        fee = 1
    else:
        raise ValueError(kind)
    return amount + fee


def guarded_again(items):
    if items:
        first = items[0]
    if items:
        return first.name
    return None


def conditional_read(found, row):
    if found:
        value = row.value
    return value if found else None


def early_exit(kind):
    if kind == "card":
        fee = 2
    if kind != "card":
        return 0
    return fee


def handler_leaves(currency):
    try:
        resp = requests.get("https://rates.example.com/" + currency, timeout=5)
    except requests.RequestException:
        logger.warning("rate lookup failed")
        return None
    return resp.json()


def handler_assigns(currency):
    try:
        rate = requests.get("https://rates.example.com/" + currency, timeout=5).json()["rate"]
    except requests.RequestException:
        rate = 1
    return rate


def loop_binds(rows):
    for row in rows:
        last = row
    return last


def loop_breaks(rows):
    while True:
        row = rows.pop()
        if row:
            break
    return row


def nonlocal_name():
    count = 0

    def bump():
        nonlocal count
        if count < 10:
            count += 1
        return count

    return bump


def dynamic(kind):
    if kind:
        label = "x"
    return locals().get("label")


def in_handler(currency):
    try:
        data = requests.get("https://rates.example.com/" + currency, timeout=5).json()
    except ValueError:
        if currency:
            data = {}
        else:
            raise
    return data


def with_block(path):
    with open(path) as fh:
        text = fh.read()
    return text


def global_name(flag):
    global CACHE
    if flag:
        CACHE = {}
    return CACHE


def param_default(valid_at=None, *args, **kwargs):
    if valid_at is None:
        valid_at = 1
    if args:
        kwargs = {}
    return valid_at, args, kwargs


def local_enum(command, total):
    if command == "r":
        axis = "+x"
    elif command == "d":
        axis = "-y"
    else:
        axis = "+y"
    for i in range(total):
        if axis == "+x":
            point = (i, 0)
        elif axis == "-y":
            point = (0, -i)
        elif axis == "+y":
            point = (0, i)
        print(point)


class Kinds:
    PRODUCT = "product"
    PAGE = "page"


def enum_dispatch(kind, products, pages):
    if kind == Kinds.PRODUCT:
        qs = products
    elif kind == Kinds.PAGE:
        qs = pages
    return qs


def raise_error(message):
    raise ValueError(message)


def helper_raises(currency):
    try:
        rate = requests.get("https://rates.example.com/" + currency, timeout=5).json()["rate"]
    except requests.RequestException:
        raise_error("no rate")
    return rate


def exits(currency):
    import sys

    try:
        rate = requests.get("https://rates.example.com/" + currency, timeout=5).json()["rate"]
    except requests.RequestException:
        print("no rate")
        sys.exit(1)
    return rate


def split_cases(ip):
    if ":" in ip:
        sep = ":"
    if "." in ip:
        sep = "."
    return ip.split(sep)


FETCH = "fetch"
ATTACHMENT = "attachment"


def module_constants(kind, url):
    if kind == FETCH:
        response = requests.get(url, timeout=5)
    elif kind == ATTACHMENT:
        response = requests.post(url, timeout=5)
    return response.content


def fee_for(kind, amount):
    if kind == "card":
        fee = amount * 2 / 100
    elif kind == "bank":
        fee = 1
    return amount + fee


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
    return point


def by_type(srs, xs):
    if isinstance(srs, int):
        crs = ("epsg", srs)
    elif isinstance(srs, str):
        crs = ("wkt", srs)
    return crs, xs


def by_prefix(event, body):
    if event.startswith("repo:"):
        repo_id = body["repository"]["id"]
    elif event.startswith("pr:"):
        repo_id = body["pullRequest"]["id"]
    return repo_id


def die(message):
    print(message)
    import sys

    sys.exit(1)


def helper_exits(users, name):
    try:
        user = users[name]
    except KeyError:
        die("no such user")
    return user


def instructor_name(row):
    # A split on a separator has at least one part: `> 1` and `== 1` cover
    # every length.
    parts = row.get("NAME", "").split(",")
    if len(parts) > 1:
        fullname = f"{parts[1]} {parts[0]}"
    elif len(parts) == 1:
        fullname = parts[0]
    return fullname.strip()


def comment_context(target_model, target):
    # A type dispatch on the model class, as isinstance's: the classes the
    # subject can be are closed elsewhere.
    if target_model == Reservation:
        tz = target.unit.tz
    elif target_model == CateringOrder:
        tz = target.reservation.unit.tz
    return tz


class Reservation:
    pass


class CateringOrder:
    pass


def mailbox_icon(obj):
    # Every truth value of sent, incoming and trash meets one branch.
    if obj.sent and not obj.trash:
        icon = "sent"
    elif obj.incoming and not obj.trash:
        icon = "inbox"
    elif not any((obj.incoming, obj.sent, obj.trash)):
        icon = "outbox"
    elif obj.trash:
        icon = "trash"
    return icon


def visibility(published, archived):
    if published or archived:
        label = "visible"
    elif not published and not archived:
        label = "draft"
    return label


def send_sms(url, data):
    import logging

    import requests

    try:
        response = requests.post(url, data=data, timeout=5)
        response.raise_for_status()
    except requests.exceptions.HTTPError:
        # Only the status check raises HTTPError: `response` is bound here.
        logging.getLogger(__name__).exception("SMS send failed")
    return response


def view_names(entity_type):
    # The last branch asserts the case cannot happen: `assert False` always
    # raises, so every path that goes on bound both names (openprescribing).
    if entity_type == "ccg":
        view_name = "ccg_home"
        key = "ccgUrl"
    elif entity_type == "practice":
        view_name = "practice_home"
        key = "practiceUrl"
    else:
        assert False, entity_type
    return {key: view_name}


def pick_one(rows, make):
    # A value's truth is its length above zero: one, more than one, or none
    # meets a branch, so `chosen` is bound on every path.
    if rows and len(rows) == 1:
        chosen = rows[0]
    elif (rows and len(rows) > 1) or not rows:
        chosen = make()
    return chosen


def pick_by_size(rows):
    if len(rows) == 0:
        size = "empty"
    elif len(rows) >= 1:
        size = "some"
    return size


def leading_literal(request, date):
    # The try opens with a literal assignment that cannot raise: any
    # handler runs after it, so `custom` is bound on every path.
    try:
        custom = False
        if date:
            custom = True
        elif "date" in request.GET:
            date = parse_date(request.GET["date"])
            custom = True
    except Exception:
        date = None
    return date, custom
