from django.http import JsonResponse
from django.views.decorators.http import require_POST
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Payment, Payout
from .tasks import send_receipt


class PayoutCreateView(APIView):
    permission_classes = [AllowAny]  # want: SEC013 "`PayoutCreateView` \(POST\) writes `Payout` and is open to anonymous callers: AllowAny \(class\)"

    def get(self, request):
        return Response({"count": Payout.objects.count()})

    def post(self, request):
        payout = Payout.objects.create(amount=request.data["amount"])
        return Response({"id": payout.pk}, status=201)


class CompletePaymentView(APIView):
    permission_classes = []  # want: SEC013 "permission_classes = \[\]"

    def post(self, request):
        Payment.objects.filter(pk=request.data.get("id")).update(status="completed")
        return Response({})


@api_view(["POST"])
@permission_classes([AllowAny])
def queue_receipt(request):  # want: SEC013 "queues|writes `send_receipt.delay`"
    send_receipt.delay(request.data.get("id"))
    return Response({})


@require_POST
def refund(request, pk):  # want: SEC013 "`refund` \(POST\) writes `Payment`"
    Payment.objects.filter(pk=pk).delete()
    return JsonResponse({})
