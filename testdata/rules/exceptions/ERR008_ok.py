from django.http import HttpResponse, JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response


def checkout(request):
    try:
        pay(request)
    except Exception as e:
        return JsonResponse({"error": str(e)}, status=502)
    return JsonResponse({"ok": True})


def transfer(request, code):
    if code is None:
        return Response({"errors": ["login first"]}, status=status.HTTP_401_UNAUTHORIZED)
    # A batch's partial success: data beside its errors.
    return Response({"created": 3, "errors": ["row 4: bad amount"]})


def validate(request):
    # No error: empty error fields and a success status.
    return Response({"errors": [], "error": None, "status": "ok", "detail": "saved"})


def answered(request, code):
    # The status is held in a variable: not followed.
    return Response({"error": "bad"}, status=code)


def text(request):
    return HttpResponse("error: bad request")


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"


class NotAnAPIException(Exception):
    status_code = 200


def pay(request):
    return request


def built_up(request):
    # The body is changed after it was built: not read.
    resp = {"error": True}
    resp["error"] = False
    return Response(resp)


def branch_bound(request, ok):
    body = {"error": "bad"}
    if ok:
        body = {"id": 1}
    return Response(body)


def partial(request):
    body = {"errors": ["row 4: bad amount"], "created": 3}
    return Response(body)


def mail_all(request, errors):
    # `errors` may be empty: not read as a failure.
    return Response({"errors": errors})


class AlreadyKnown(APIException):
    # 201: a deliberate short cut, not a failure.
    status_code = status.HTTP_201_CREATED


def upload_url(request):
    from django.conf import settings

    if settings.DEBUG:
        # Refused in development only.
        return Response({"error": "not available in development"})
    return Response({"url": "https://bucket/x"})
