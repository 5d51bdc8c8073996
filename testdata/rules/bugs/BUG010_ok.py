from enum import Enum

from django.db import models

from .constants import STATUS_CHOICES


class Status(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Color(str, Enum):
    red = "red"


class Plain(Enum):
    a = "A"


def default_status():
    return "open"


class Order(models.Model):
    NEW = "new"
    CHOICES = ((NEW, "New"), ("paid", "Paid"))

    state = models.CharField(max_length=10, choices=CHOICES, default=NEW)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    imported = models.CharField(max_length=10, choices=STATUS_CHOICES, default="x")
    computed = models.CharField(max_length=10, choices=Status.choices, default=default_status)
    nullable = models.CharField(max_length=10, choices=Status.choices, default=None, null=True)
    color = models.CharField(max_length=10, choices=[(c, c.value) for c in Color], default=Color.red)
    plain = models.CharField(max_length=10, choices=[(p.value, p.name) for p in Plain], default="A")
    no_default = models.CharField(max_length=10, choices=CHOICES)
    # Django's empty value for an optional field: full_clean() does not check it.
    optional = models.CharField(max_length=10, choices=CHOICES, blank=True, default="")
