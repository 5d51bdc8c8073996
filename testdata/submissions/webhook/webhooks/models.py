from django.db import models


class Merchant(models.Model):
    name = models.CharField(max_length=100)
    callback_url = models.URLField()


class Event(models.Model):
    event_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=50)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="events")
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
