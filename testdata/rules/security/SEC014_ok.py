from django.contrib import admin
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAdminUser

from .models import Payment


def register_signals():
    print("registered")
    return None


admin.site.register(Payment)
register_signals()


@api_view(["POST"])
@permission_classes([IsAdminUser])
def refund(request):
    return None


def configure():
    # inside a function: may register at run time
    permission_classes([IsAdminUser])
