from django.shortcuts import redirect
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSet


class TransferView(APIView):
    def post(self, request):
        data = {"user": request.user.id, **request.data.dict()}  # want: BUG031 "`TransferView` calls `request.data.dict\(\)`, a QueryDict method: for a JSON body `request.data` is a plain dict, so this is an `AttributeError` \(a 500\)"
        return Response(data)


class StatusView(APIView):
    def post(self, request):
        payment_id = request.POST.get("obj_id", "")  # want: BUG031 "`StatusView` reads `request.POST` in a DRF view: DRF fills it only for form bodies"
        return Response({"id": payment_id})


class Payments(ViewSet):
    def create(self, request):
        ids = self.request.data.getlist("ids")  # want: BUG031 "calls `self.request.data.getlist\(\)`"
        return Response({"ids": ids})


@api_view(["POST"])
def refund(request):
    amount = request.POST["amount"]  # want: BUG031 "`refund` reads `request.POST`"
    return Response({"amount": amount})


def call_refund(client):
    # The project's own client sends JSON.
    return client.post("/refund/", {"amount": "10.00"}, format="json")


class Checkout(APIView):
    # Answers JSON: the redirect is a helper's, not this handler's answer.
    def post(self, request):
        email = request.POST["email"]  # want: BUG031 "`Checkout` reads `request.POST`"

        def back():
            return redirect("/cart/")

        return Response({"email": email, "back": back})
