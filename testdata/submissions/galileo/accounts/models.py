from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    avatar = models.ImageField(upload_to="avatars/")


class Account(models.Model):
    user_id = models.IntegerField()
    galileo_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
