import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def webhook(request):
    event = json.loads(request.body)  # want: SEC004 "only Django's default 2.5 MB"
    return HttpResponse(event["id"])
