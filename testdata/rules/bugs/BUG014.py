from django.views import View


def receive(request):
    agent = request.META.get("User-Agent")  # want: BUG014 "`request.META` has no key `User-Agent`: Django stores the header as `HTTP_USER_AGENT`, so this is always `None`"
    signature = request.META["X-Signature"]  # want: BUG014 "stores the header as `HTTP_X_SIGNATURE`, so this is always a `KeyError`"
    kind = request.META.get("content-type")  # want: BUG014 "as `CONTENT_TYPE`"
    return agent, signature, kind


class Hook(View):
    def post(self, request):
        return self.request.META.get("YAYA-SIGNATURE")  # want: BUG014 "`self.request.META` has no key `YAYA-SIGNATURE`"


def bearer_with_default(request):
    return request.META.get("Authorization", "")  # want: BUG014 "no key `Authorization`: Django stores the header as `HTTP_AUTHORIZATION`, so this is always the default, `\"\"`"
