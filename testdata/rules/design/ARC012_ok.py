import time
import uuid

from django.db import models
from django.utils import timezone

TODAY_AT_START = timezone.now()


def new_reference():
    return uuid.uuid4().hex


def fixed_label():
    return "wallet"


class Wallet(models.Model):
    reference = models.CharField(max_length=32, default=new_reference)
    label = models.CharField(max_length=32, default=fixed_label())


class Timer:
    started = time.time()

    def elapsed(self):
        return time.time() - self.started


class Window:
    # Never read by a method: nothing uses it as "now".
    built_at = timezone.now()

    def now(self):
        return timezone.now()


class Defaults:
    created = timezone.now

    def stamp(self):
        return self.created()


class Retry:
    delay = int("30")

    def wait(self):
        return self.delay
