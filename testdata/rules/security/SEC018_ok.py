import json
from decimal import Decimal

from django.http import JsonResponse
from django.views.decorators.http import require_POST
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import TransferSerializer


@require_POST
def deposit(request):
    data = json.loads(request.body)
    try:
        amount = data["amount"]
    except KeyError:
        return JsonResponse({"error": "amount required"}, status=400)
    return JsonResponse({"amount": amount})


@api_view(["POST"])
def transfer(request):
    s = TransferSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    return Response({"to": request.data["to"]})


@require_POST
def checked(request):
    data = json.loads(request.body)
    if "amount" not in data:
        return JsonResponse({}, status=400)
    return JsonResponse({"amount": data["amount"]})


@require_POST
def with_get(request):
    return JsonResponse({"amount": request.POST.get("amount")})


def helper(payload):
    return payload["amount"]


@api_view(["POST"])
def withdraw(request):
    amount = Decimal(request.data.get("amount", "0"))
    return Response({"amount": str(amount)})


@require_POST
def status(request):
    error = None
    if request.POST.get("error"):
        error = request.POST["error"][:200]
    return JsonResponse({"error": error})


@require_POST
def reschedule(request):
    data = json.loads(request.body)
    end = int(data["end"]) if data.get("end") else None
    room = data["room"] if "room" in data else None
    return JsonResponse({"end": end, "room": room})


def _require(payload, keys):
    return [k for k in keys if not payload.get(k)]


class FailureView(APIView):
    def _validate_arguments(self, payload):
        return [k for k in ("name", "city") if not payload.get(k)]

    def post(self, request):
        payload = request.data
        missing = self._validate_arguments(payload)
        if missing:
            return Response({"missing": missing}, status=400)
        return Response({"name": payload["name"], "city": payload["city"]})


@api_view(["POST"])
def post_tzinfo(request):
    # Both keys are tested in the early return above the reads
    # (django-polaris's SEP-24 time zone endpoint).
    if not (request.data.get("sessionId") and request.data.get("sessionOffset") is not None):
        return Response({"error": "missing required parameters"}, status=400)
    return Response({"offset": request.data["sessionOffset"], "id": request.data["sessionId"]})


# The key's value read with .get() into a local, and the read in the branch
# of an if comparing that local with a literal: only reached when the key is
# there (codecov's plan rewrite).
@api_view(["PATCH"])
def update_plan(request):
    plan_value = request.data.get("plan", {}).get("value")
    if plan_value == "users-basic":
        request.data["plan"]["value"] = "users-free"
    return Response({"plan": plan_value})
