import django_filters
from django import forms
from rest_framework import serializers

from .models import Account


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["display_name", "email"]


class AccountReadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = "__all__"


class AccountFilter(django_filters.FilterSet):
    class Meta:
        model = Account
        fields = "__all__"


class ExcludeForm(forms.ModelForm):
    class Meta:
        model = Account
        exclude = ["is_staff"]


class SearchForm(forms.Form):
    class Meta:
        fields = "__all__"
