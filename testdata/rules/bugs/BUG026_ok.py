from decimal import Decimal

from django import forms
from rest_framework import serializers

from .models import Entry


class Bounded(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class Validated(serializers.Serializer):
    amount = serializers.IntegerField()

    def validate_amount(self, value):
        if value < 1:
            raise serializers.ValidationError("positive")
        return value


class Output(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class Adjust(forms.Form):
    increase_by_amount = forms.DecimalField()
    amount = forms.DecimalField(help_text="Use a negative value to decrease.")


class EntrySerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        model = Entry
        fields = ("amount",)


class Dataclass:
    amount = Decimal("0")


class FlooredWithdrawSerializer(serializers.Serializer):
    # validate() refuses amounts under a floor of one, read by key: bounded.
    amount = serializers.IntegerField()

    def validate(self, data):
        if data["amount"] < 1:
            raise serializers.ValidationError("amount must be positive")
        return data
