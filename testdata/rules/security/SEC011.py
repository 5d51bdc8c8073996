from django import forms
from django.forms import modelform_factory
from rest_framework import serializers

from .models import Account


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = "__all__"  # want: SEC011 "ModelForm `AccountForm` accepts every model field"


class AccountSerializer(serializers.HyperlinkedModelSerializer):
    class Meta:
        model = Account
        fields = "__all__"  # want: SEC011 "serializer `AccountSerializer`"


AccountFormSet = modelform_factory(Account, fields="__all__")  # want: SEC011 "`modelform_factory\(fields=.__all__.\)`"


class BaseSerializer(serializers.ModelSerializer):
    pass


class CycleSerializer(BaseSerializer):
    class Meta:
        model = Account
        fields = "__all__"  # want: SEC011 "every model field not in `read_only_fields`"
        read_only_fields = ["workspace"]
