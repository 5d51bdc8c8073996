import json

from django.http import JsonResponse

FULL_NAME_USER = "x"


def webhook(request):
    payload = json.loads(request.body)
    print(header)  # want: BUG005 "`header` is not defined"
    return JsonResponse({"ok": payload, "user": NAMA_USER})  # want: BUG005 "`NAMA_USER` is not defined"


def again(request):
    log(header)  # want: BUG005 "`log`"
    return settings.DEBUG  # want: BUG005 "`settings` is not defined"


class Wallet:
    LIMIT = 10

    def over(self, amount):
        return amount > LIMIT  # want: BUG005 "`LIMIT` is not defined"


def helper():
    local = 1
    return local


def uses_sibling():
    return local  # want: BUG005 "`local` is not defined"


def comprehension(rows):
    return [r for r in rows if r > threshold]  # want: BUG005 "`threshold`"


def send_email(user):
    try:
        html = render_to_string("email.html", {"user": user})  # want: BUG005 "`render_to_string` is not defined"
        return html
    except Exception:
        return None


class Crate[T]:
    pass


class TaggedCrate[T](Crate[U]):  # want: BUG005 "`U` is not defined"
    pass


class Registry:
    def __call__[PluginT](self, identifier: str) -> type[PluginU]:  # want: BUG005 "`PluginU` is not defined"
        return identifier
