from .models import Coupon


def handler_falls_through(code):
    try:
        return Coupon.objects.get(code=code)
    except Coupon.DoesNotExist:
        pass
    return None


def no_else(coupon):
    if coupon.active:
        return "active"
    return "used"


def elif_without_else(coupon):
    if coupon.active:
        return "active"
    elif coupon.expired:
        return "expired"
    return "used"


def loop(codes):
    for code in codes:
        try:
            return Coupon.objects.get(code=code)
        except Coupon.DoesNotExist:
            continue
        print("unreached, but a continue is not read")
    return None


def body_falls_through(code):
    try:
        coupon = Coupon.objects.get(code=code)
    except Coupon.DoesNotExist:
        return None
    return coupon


def module_level():
    pass


try:
    import json
except ImportError:
    raise
print("module level is not read")
