from django.db import models
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from rest_framework.viewsets import ModelViewSet


class Invoice(models.Model):
    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE)
    total = models.DecimalField(max_digits=10, decimal_places=2)


def invoice_detail(request, pk):
    invoice = Invoice.objects.get(pk=pk)  # want: SEC012 "view `invoice_detail` queries `Invoice` without filtering on its tenant key `organization`"
    return JsonResponse({"total": str(invoice.total)})


def invoice_list(request):
    rows = Invoice.objects.filter(total__gt=0).order_by("-total")  # want: SEC012
    other = get_object_or_404(Invoice, pk=1)  # want: SEC012
    return JsonResponse({"n": len(rows), "o": other.pk})


class InvoiceViewSet(ModelViewSet):
    def get_queryset(self):
        return Invoice.objects.all()  # want: SEC012 "view `get_queryset`"
