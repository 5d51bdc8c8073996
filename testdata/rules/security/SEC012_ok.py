from django.db import models
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from rest_framework.viewsets import ModelViewSet


class Invoice(models.Model):
    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE)
    total = models.DecimalField(max_digits=10, decimal_places=2)


class Country(models.Model):
    code = models.CharField(max_length=2)


def invoice_detail(request, pk):
    invoice = Invoice.objects.get(pk=pk, organization=request.user.organization)
    return JsonResponse({"total": str(invoice.total)})


def invoice_list(request):
    qs = Invoice.objects.all()
    qs = qs.filter(organization_id=request.user.organization_id)
    return JsonResponse({"n": qs.count(), "countries": Country.objects.count()})


def opaque(request, scope):
    return get_object_or_404(Invoice, **scope)


class InvoiceViewSet(ModelViewSet):
    def get_queryset(self):
        return Invoice.objects.filter(organization__members=self.request.user)


def report_job():
    # Not a view: a management job may read every tenant.
    return Invoice.objects.all()


class Token(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE)
    token = models.CharField(max_length=64)


def by_token(request):
    # Possession of the token is the authorisation.
    return Token.objects.filter(token=request.headers["X-Api-Key"]).first()


def annotated(request, org):
    from django.db.models import OuterRef, Subquery

    tokens = Token.objects.filter(account_id=OuterRef("id")).values("id")
    return Subquery(tokens)


def invoice_for_support(request, pk):
    # A superuser guard on the path: support staff see every tenant's rows.
    if not request.user.is_superuser:
        return JsonResponse({}, status=403)
    invoice = Invoice.objects.get(pk=pk)
    return JsonResponse({"total": str(invoice.total)})


def invoice_checked(request, pk):
    # An explicit ownership check by the caller.
    invoice = Invoice.objects.get(pk=pk)
    if invoice.organization_id != request.user.organization_id:
        return JsonResponse({}, status=404)
    return JsonResponse({"total": str(invoice.total)})


class InvoicePermission:
    # A DRF permission hook loads the invoice named in the URL to decide
    # whether the caller may see it (Flagsmith's project permissions).
    def has_permission(self, request, view):
        invoice = Invoice.objects.get(pk=view.kwargs["invoice_pk"])
        return request.user.can_view(invoice)

    def has_object_permission(self, request, view, obj):
        invoice = Invoice.objects.get(pk=obj.invoice_id)
        return request.user.can_view(invoice)
