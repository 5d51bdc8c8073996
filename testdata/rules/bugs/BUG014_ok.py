from django.test import Client


def receive(request, environ):
    signature = request.headers.get("X-Signature")
    agent = request.META.get("HTTP_USER_AGENT")
    remote = request.META["REMOTE_ADDR"]
    forwarded = request.META.get("X_REAL_IP")  # set by the proxy, upper case: may exist
    stream = request.META.get("wsgi.input")
    other = environ.get("User-Agent")  # not request.META
    return signature, agent, remote, forwarded, stream, other


def test_view(rf):
    request = rf.post("/")
    request.META["X-Forwarded-For"] = "1.2.3.4"  # an assignment, not a read
    return request


class Throttle:
    def allow_request(self, request, view):
        request.META["X-RateLimit-Remaining"] = 10  # stored by the project: reading it back finds it
        return True


def finalize(request, response):
    remaining = request.META.get("X-RateLimit-Remaining")
    response["X-RateLimit-Remaining"] = remaining
    return response


def export_page(url):
    # A static export renders the project's own views through a test client:
    # the keyword lands in META as given, and the views read it back.
    client = Client()
    return client.get(url, is_static_export=True, HTTP_ACCEPT="text/html")


def is_static_export(request):
    return {"is_static_export": request.META.get("is_static_export") is True}


def basic_auth(request):
    # The default reads the header under its META name: the value is there.
    return request.META.get("Authorization", request.META.get("HTTP_AUTHORIZATION", ""))
