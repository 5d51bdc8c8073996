import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

MAX_WEBHOOK_BYTES = 64 * 1024


@csrf_exempt
def checked(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_WEBHOOK_BYTES:
        return HttpResponse(status=413)
    return HttpResponse(json.loads(request.body)["id"])


@csrf_exempt
def measured(request):
    body = request.body
    if len(body) > MAX_WEBHOOK_BYTES:
        return HttpResponse(status=413)
    return HttpResponse(json.loads(body)["id"])


def normal_view(request):
    return HttpResponse(json.loads(request.body)["id"])


class WebhookHandler:
    def format_request(self, request):
        # An outgoing requests.PreparedRequest, not a view.
        return json.loads(request.body or "{}")
