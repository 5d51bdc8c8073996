import requests
import stripe
from django.conf import settings
from django.urls import reverse


def buy(request, pk):
    return stripe.checkout.Session.create(
        success_url=request.build_absolute_uri(reverse("payment-success")),
        cancel_url=f"{settings.SITE_URL}/cancel/",
    )


def from_parameter(request, base_url="http://localhost:8000"):
    # A parameter's default is only a default: the caller may pass another.
    return stripe.checkout.Session.create(success_url=base_url + "/success")


def rebound(request, live):
    domain = "http://127.0.0.1:8000"
    if live:
        domain = settings.SITE_URL
    return stripe.checkout.Session.create(success_url=domain + "/success")


def own_sidecar():
    # The service calling a local address itself is not handing it out.
    return requests.get("http://localhost:9200/_cluster/health", timeout=5)


def example_docs():
    # Named for no address another party follows, and not built per object.
    return {"url": "https://example.com/image.png", "avatar": "https://example.com/a.jpg"}


def real_host(request, code):
    short_url = f"https://sho.rt/{code}"
    return stripe.checkout.Session.create(success_url="https://shop.acme.io/success", cancel_url=short_url)


def host_interpolated(request):
    host = request.get_host()
    return stripe.checkout.Session.create(success_url=f"http://{host}/success")


def local_look_alike(request):
    return stripe.checkout.Session.create(success_url="http://localhost.acme.io/success", cancel_url="http://127.0.0.1.nip.io/x")


def own_api(request, uuid):
    # The service calling its own API over HTTP is another defect (and
    # another finding's business): the address is not handed out.
    url = f"http://localhost:8000/api/v1/wallets/{uuid}/"
    response = requests.get(url, timeout=5)
    operation_url = f"http://localhost:8000/api/v1/wallets/{uuid}/operation/"
    requests.post(url=operation_url, json={}, timeout=5)
    return response.json()


DUMMY_RESULTS_URL = "http://example.com/video-result"

# An e-mail previewer's made-up context: a table of constants, handed to
# nobody.
EMAIL_PREVIEW_CONTEXT = {
    "verification": {"confirmation_url": "http://www.example.com/confirm/url"},
}


def seed(Interview, job):
    return Interview.objects.get_or_create(job=job, defaults=dict(results_url=DUMMY_RESULTS_URL))


def render_preview(context):
    # Placeholder domains in dictionary entries are made-up contexts (an
    # e-mail preview's), not addresses handed to a provider.
    context.update({"confirmation_url": "http://www.example.com/confirm/url"})
    return context
