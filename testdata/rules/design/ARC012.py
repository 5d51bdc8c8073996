import datetime
import time
import uuid

from django.db import models
from django.utils import timezone
from rest_framework import serializers


def new_wallet_name():
    now = datetime.datetime.now()
    return f"wallet-{int(now.timestamp() * 100000)}"


def new_reference():
    return uuid.uuid4().hex


class UserWallet(models.Model):
    name = models.CharField(max_length=254, unique=True, default=new_wallet_name())  # want: ARC012 "`default=new_wallet_name\(\)` calls `new_wallet_name` once, when the class body runs at import: every row created without a value gets the same one, and the second such row fails on `unique=True`"
    reference = models.CharField(max_length=32, default=new_reference())  # want: ARC012 "gets the same one$"


class TimestampRangeSerializer(serializers.Serializer):
    current_ts = int(time.time())  # want: ARC012 "`current_ts`, `week_ts` of `TimestampRangeSerializer` are read from the clock once, when the class body runs at import, and its methods use them as the current time"
    week_ts = current_ts + 7 * 24 * 3600
    from_ts = serializers.CharField()

    def validate(self, attrs):
        if not self.current_ts <= int(attrs["from_ts"]) <= self.week_ts:
            raise serializers.ValidationError("Invalid timestamp.")
        return attrs


class ReportView:
    today = timezone.now().date()  # want: ARC012 "`today` of `ReportView` is read from the clock once, when the class body runs at import, and its methods use it as the current time"

    @classmethod
    def rows(cls, qs):
        return qs.filter(created__date=cls.today)
