import json
from decimal import Decimal

from django.http import JsonResponse
from django.views.decorators.http import require_POST
from rest_framework.decorators import api_view
from rest_framework.response import Response


@require_POST
def deposit(request):
    data = json.loads(request.body)
    amount = data["amount"]  # want: SEC018 "`deposit` reads the request payload by key \(`amount`, `currency`\) without validating it"
    return JsonResponse({"amount": amount, "currency": data["currency"]})


@api_view(["POST"])
def transfer(request):
    to = request.data["to"]  # want: SEC018 "`transfer`"
    return Response({"to": to})


@require_POST
def pay(request):
    return JsonResponse({"id": json.loads(request.body)["order_id"]})  # want: SEC018 "`order_id`"


@api_view(["POST"])
def withdraw(request):
    amount = Decimal(request.data.get("amount"))  # want: SEC018 "`withdraw` reads the request payload by key \(`amount`\)"
    return Response({"amount": str(amount)})


def validate_currency(code):
    return code in ("EUR", "USD")


@api_view(["POST"])
def convert(request):
    data = request.data
    validate_currency(request.GET.get("to"))
    return Response({"amount": data["amount"]})  # want: SEC018 "`convert` reads the request payload by key \(`amount`\)"


@api_view(["POST"])
def post_offset(request):
    if request.data.get("sessionOffset") is None:
        print("no offset given")
    return Response({"offset": request.data["sessionOffset"]})  # want: SEC018 "`sessionOffset`"


# A local tested for None is no proof the key is there.
@api_view(["PATCH"])
def update_plan(request):
    plan_value = request.data.get("plan")
    if plan_value is None:
        request.data["plan"]["value"] = "users-free"  # want: SEC018 "`update_plan` reads the request payload by key"
    return Response({"plan": plan_value})
