from django.contrib.auth.decorators import login_required
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAdminUser
from rest_framework.views import APIView


def require_role(role):
    def decorator(view):
        def wrapped(request, *args, **kwargs):
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


permission_classes([IsAdminUser])  # want: SEC014 "`permission_classes\(\[IsAdminUser\]\)` is called as a statement"


class RefundView(APIView):
    def post(self, request):
        return None


require_role("admin")  # want: SEC014 "`require_role\(\"admin\"\)`"
def close_account(request):
    return None


class Reports(APIView):
    login_required()  # want: SEC014

    def get(self, request):
        return None
