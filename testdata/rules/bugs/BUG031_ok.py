from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from rest_framework.decorators import action
from django.views import View
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ReadOnlyModelViewSet


class FormOnly(APIView):
    # Only form bodies reach this view: request.POST is the body.
    parser_classes = [FormParser, MultiPartParser]

    def post(self, request):
        return Response({"name": request.POST.get("name")})


class Upload(APIView):
    # A multipart upload: the other fields are in request.POST.
    def post(self, request):
        f = request.FILES["file"]
        return Response({"name": request.POST.get("name", f.name)})


class Either(APIView):
    def post(self, request):
        if request.content_type == "application/json":
            return Response(request.data)
        return Response(request.data.dict())


class Plain(View):
    # A plain Django view reads form posts by design.
    def post(self, request):
        return JsonResponse({"id": request.POST.get("id")})


class Serialized(APIView):
    def post(self, request):
        data = dict(request.data)
        return Response(data)


def call_upload(client):
    # The project sends JSON elsewhere: the reads above stay silent for their own reasons.
    return client.post("/either/", {"a": 1}, format="json")


class CourseViewSet(ReadOnlyModelViewSet):
    # The purchase form of a course page: the browser posts form data and is
    # sent on to the payment page. A JSON client is not redirected.
    @action(methods=["POST"], detail=True)
    def purchase(self, request, pk=None):
        data = request.POST
        return HttpResponseRedirect(redirect_to=f"/pay/{pk}/?email={data['email']}")

    @action(methods=["POST"], detail=True)
    def gift(self, request, pk=None):
        if not request.POST.get("receiver_email"):
            return redirect("/gift-failed/")
        return redirect(f"/pay/{pk}/")
