from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.status import HTTP_201_CREATED


def checkout(request):
    try:
        pay(request)
    except Exception as e:
        return JsonResponse({"error": str(e)})  # want: ERR008 "`JsonResponse\(\.\.\.\)` answers an error \(`error`\) with no status, so with 200 OK"
    return JsonResponse({"ok": True})


def transfer(request):
    if not request.user.is_authenticated:
        return Response({"errors": ["login first"]}, status=status.HTTP_200_OK)  # want: ERR008 "with 200 OK"
    if request.data.get("amount", 0) <= 0:
        return Response({"success": False, "message": "bad amount"})  # want: ERR008 "answers a failure \(`\"success\": False`\)"
    if request.data.get("to") is None:
        return Response({"status": "failed", "reason": "no recipient"}, 201)  # want: ERR008 "with 201 Created"
    if request.data.get("from") is None:
        return Response(data={"error_message": "no sender"}, status=HTTP_201_CREATED)  # want: ERR008
    return Response({"status": "ok"})


class BusinessError(APIException):
    status_code = 200  # want: ERR008 "`BusinessError` is an API exception answered with 200 OK"
    default_detail = "rejected"


def pay(request):
    return request


def history(request):
    resp_msg = {"error": True}
    if request.data.get("user") is None:
        resp_msg = {"error": True, "user_not_found": True}
        return Response(resp_msg)  # want: ERR008 "answers a failure \(`\"error\": True`\)"
    content = {"data": "This wallet is disabled.", "status": "fail"}
    return Response(content)  # want: ERR008 "`\"status\": \"fail\"`"
