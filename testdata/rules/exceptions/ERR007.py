from decimal import Decimal
import decimal

from rest_framework.response import Response


def deposit(request, wallet):
    try:
        amount = Decimal(request.data["amount"])  # want: ERR007 "`Decimal\(request.data\[\"amount\"\]\)` raises `decimal.InvalidOperation` for text that is not a number"
    except (KeyError, ValueError):
        return Response({"error": "amount must be a number"}, status=400)
    wallet.balance += amount
    wallet.save()
    return Response({"balance": str(wallet.balance)})


def parse(text):
    try:
        value = decimal.Decimal(text.strip())  # want: ERR007 "raises `decimal.InvalidOperation`"
        if value < 0:
            raise ValueError("negative")
    except ValueError:
        return None
    return value
