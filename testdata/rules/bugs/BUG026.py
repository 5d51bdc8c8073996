from django import forms
from rest_framework import serializers


class DepositForm(forms.Form):
    amount = forms.FloatField()  # want: BUG026 "`amount` accepts any number, negatives included: no min_value, validator or check in `DepositForm`"
    reference_id = forms.CharField()

    def clean(self):
        data = super().clean()
        if data["amount"] > 1000000:
            raise forms.ValidationError("too much")
        return data


class BaseOperation(serializers.Serializer):
    note = serializers.CharField(required=False)


class TransferSerializer(BaseOperation):
    recipient = serializers.CharField()
    transfer_amount = serializers.DecimalField(max_digits=12, decimal_places=2)  # want: BUG026 "`transfer_amount` accepts any number"
