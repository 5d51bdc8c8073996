from django.db import models


class Booking(models.Model):
    seats = models.PositiveIntegerField()

    def save(self, *args, **kwargs):
        if self.pk:
            self.full_clean()
        super().save(*args, **kwargs)


class Ticket(models.Model):
    code = models.CharField(max_length=12)

    def save(self, *args, **kwargs):
        if self.id is not None:
            super().save(*args, **kwargs)
        else:
            self.code = self.code.upper()
            super().save(*args, **kwargs)


class Invoice(models.Model):
    total = models.DecimalField(max_digits=9, decimal_places=2)
    locked = models.BooleanField(default=False)

    def save(self, *args, **kwargs):
        if self.locked:
            return
        super().save(*args, **kwargs)


class Note(models.Model):
    text = models.TextField()

    def save(self, *args, **kwargs):
        if self.pk and self.text == "":
            return
        if self.pk:
            self.text = self.text.strip()
        super().save(*args, **kwargs)


class Draft:
    # Not a model: a plain class with a save method.
    def save(self):
        if self.pk:
            super().save()
