from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views import View
from django.views.decorators.http import require_POST
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Payment, Payout, Signup
from .permissions import IsMerchant


class PayoutCreateView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        Payout.objects.create(amount=request.data["amount"])
        return Response(status=201)


class PublicList(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"n": Payout.objects.count()})


class ReadOnlyForAnonymous(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    def post(self, request):
        Payout.objects.create(amount=1)
        return Response(status=201)


class MerchantOnly(APIView):
    # A custom permission rubric cannot read: not judged.
    permission_classes = [IsMerchant]

    def post(self, request):
        Payout.objects.create(amount=1)
        return Response(status=201)


class RegisterView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        Signup.objects.create(email=request.data["email"])
        return Response(status=201)


class OwnPayments(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        # relies on request.user: anonymous callers fail here
        Payment.objects.create(user=request.user, amount=1)
        return Response(status=201)


@login_required
@require_POST
def refund(request, pk):
    Payment.objects.filter(pk=pk).delete()
    return JsonResponse({})


@require_POST
def refund_checked(request, pk):
    if not request.user.is_authenticated:
        return JsonResponse({}, status=401)
    Payment.objects.filter(pk=pk).delete()
    return JsonResponse({})


@api_view(["POST"])
@permission_classes([AllowAny])
def stripe_webhook(request):
    # A webhook: SEC002 judges its signature.
    Payment.objects.filter(ref=request.data["ref"]).update(status="paid")
    return Response({})


@require_POST
def unsubscribe(request, pk, secret):
    # An e-mail link: possession of the secret is the authorisation.
    Payment.objects.filter(pk=pk, secret=secret).update(notify=False)
    return JsonResponse({})


class AccessCheckedMixin:
    def dispatch(self, request, *args, **kwargs):
        # A project mixin's dispatch may check access: not judged.
        return super().dispatch(request, *args, **kwargs)


class DeletePayment(AccessCheckedMixin, View):
    def post(self, request, pk):
        Payment.objects.filter(pk=pk).delete()
        return JsonResponse({})
