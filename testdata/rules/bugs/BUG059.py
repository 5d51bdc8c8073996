from datetime import date, datetime


def make_payment(loan):
    test_date = "2023-10-01"  # set date for testing
    if test_date != "":  # want: BUG059 "`test_date` is only ever the literal `\"2023-10-01\"`, so `test_date != \"\"` always holds and the `else` branch never runs"
        today = datetime.strptime(test_date, "%Y-%m-%d").date()
    else:
        today = date.today()
    return loan.due == today


def fetch(client):
    use_cache = False
    if use_cache:  # want: BUG059 "`use_cache` is only ever the literal `False`, so `use_cache` never holds and the `if` branch never runs"
        return client.cached()
    else:
        return client.live()


def mode_of(api):
    mode = "sandbox"
    if mode == "live":  # want: BUG059 "never holds and the `if` branch never runs"
        return api.live_url
    elif mode == "sandbox":
        return api.sandbox_url
    return None


def limit():
    retries = 3
    if not retries:  # want: BUG059 "`not retries` never holds"
        return 0
    else:
        return retries


def nested(serializer):
    if serializer.is_valid():
        sandbox = True
        if sandbox is True:  # want: BUG059 "`sandbox is True` always holds and the `else` branch never runs"
            return "sandbox"
        else:
            return "live"
    return None
