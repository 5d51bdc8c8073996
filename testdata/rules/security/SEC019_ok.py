from django.contrib.auth.models import User
from rest_framework import serializers

from .models import Card


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "password"]
        extra_kwargs = {"password": {"write_only": True}}


class SignupSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True)

    class Meta:
        model = User
        fields = ["username", "password"]


class CardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Card
        fields = ["id", "last_four", "has_pin", "password_changed_at"]


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class RoomSerializer(serializers.ModelSerializer):
    # The serializer decides who sees the PIN: its to_representation drops it
    # for callers who may not join the room (meet).
    class Meta:
        model = Card
        fields = ["id", "last_four", "pin"]

    def to_representation(self, instance):
        output = super().to_representation(instance)
        if not self.context["request"].user.is_authenticated:
            del output["pin"]
        return output


class ExternalRoomSerializer(serializers.ModelSerializer):
    # The PIN is taken out and shown only under a telephony key when enabled.
    class Meta:
        model = Card
        fields = ["id", "pin"]

    def to_representation(self, instance):
        output = super().to_representation(instance)
        pin = output.pop("pin", None)
        if self.context.get("telephony"):
            output["telephony"] = {"pin": pin}
        return output


class PasswordBaseSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, required=True)


class RegistrationSerializer(PasswordBaseSerializer, serializers.ModelSerializer):
    # The project base declares `password` write-only: the subclass that
    # lists it in Meta.fields inherits the declaration (cla_backend's
    # operator serializers, trade-remedies' registration).
    class Meta:
        model = User
        fields = ["email", "password", "username"]
