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
