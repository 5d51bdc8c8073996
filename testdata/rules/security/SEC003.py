import hashlib
import hmac

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Delivery


@csrf_exempt
def slack_webhook(request):  # want: SEC003 "webhook view `slack_webhook` verifies a signature but accepts a replayed delivery"
    expected = hmac.new(settings.SLACK_KEY, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers["X-Slack-Signature"]):
        return HttpResponse(status=401)
    Delivery.objects.create(raw=request.body)
    return HttpResponse()
