from django.contrib.auth.models import User
from rest_framework import serializers

from .models import Card


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = "__all__"  # want: SEC019 "serializer `UserSerializer` returns `password` to API clients"


class CardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Card
        fields = ["id", "card_number", "cvv", "expiry"]  # want: SEC019 "`card_number`, `cvv`"


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Card
        exclude = ["id"]


class PinSerializer(serializers.ModelSerializer):
    # to_representation drops another key: the PIN is still returned.
    class Meta:
        model = Card
        fields = ["id", "pin", "expiry"]  # want: SEC019 "serializer `PinSerializer` returns `pin`"

    def to_representation(self, instance):
        output = super().to_representation(instance)
        output.pop("expiry", None)
        return output


class PasswordInputBase(serializers.Serializer):
    password = serializers.CharField(required=True)


class RegistrationSerializer(PasswordInputBase, serializers.ModelSerializer):
    # A base declaring `password` without write_only: still returned.
    class Meta:
        model = User
        fields = ["email", "password", "username"]  # want: SEC019 "serializer `RegistrationSerializer` returns `password`"
