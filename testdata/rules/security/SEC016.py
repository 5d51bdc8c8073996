from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt  # want: SEC016 "`transfer` is exempt from CSRF but its callers log in with the session cookie \(login_required"
@login_required
def transfer(request):
    request.user.wallet.send(request.POST["to"], request.POST["amount"])
    return JsonResponse({"ok": True})


@method_decorator(csrf_exempt, name="dispatch")  # want: SEC016 "`ProfileUpdate` is exempt from CSRF"
class ProfileUpdate(LoginRequiredMixin, View):
    def post(self, request):
        request.user.email = request.POST["email"]
        request.user.save()
        return JsonResponse({})


@csrf_exempt  # want: SEC016 "reads `request.user`"
@require_POST
def close_account(request):
    request.user.delete()
    return JsonResponse({})


# Refused only when neither the header is missing nor... (`and`): an ordinary
# form post from another site, without the header, gets through.
@csrf_exempt  # want: SEC016 "`hide_comment` is exempt from CSRF"
@login_required
@require_POST
def hide_comment(request, comment_id):
    if not request.is_ajax() and request.user.is_staff:
        return HttpResponseForbidden()
    request.user.comments.filter(pk=comment_id).update(hidden=True)
    return HttpResponse("ok")
