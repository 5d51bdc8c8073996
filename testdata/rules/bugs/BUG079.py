from rest_framework.response import Response

from .models import Coupon


def redeem(request, code):
    try:
        coupon = Coupon.objects.get(code=code)
        if coupon.active:
            coupon.active = False
            coupon.save()
        return Response({"error": "already used"}, status=400)
    except Coupon.DoesNotExist:
        return Response({"error": "invalid"}, status=404)
    return Response({"success": "redeemed"})  # want: BUG079 "^`return Response\(\{\"success\": \"redeemed\"\}\)` never runs: the `try` above returns or raises from its body and from every `except`$"


def status_of(coupon):
    if coupon.active:
        return "active"
    elif coupon.expired:
        raise ValueError("expired")
    else:
        return "used"
    coupon.touch()  # want: BUG079 "never runs: every branch of the `if` above returns or raises"


def nested(code):
    try:
        if code:
            return Coupon.objects.get(code=code)
        else:
            raise ValueError("no code")
    except (Coupon.DoesNotExist, ValueError):
        raise
    finally:
        print("done")
    print("after")  # want: BUG079 "never runs"
