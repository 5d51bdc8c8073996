from django.db import models


class Booking(models.Model):
    seats = models.PositiveIntegerField()

    def save(self, *args, **kwargs):
        if self.pk:  # want: BUG047 "`Booking.save..` calls the parent save only when `self.pk`: a new `Booking` has no primary key yet"
            self.full_clean()
            super().save(*args, **kwargs)


class Ticket(models.Model):
    code = models.CharField(max_length=12)

    def save(self, *args, **kwargs):
        self.code = self.code.upper()
        if self.id is not None:  # want: BUG047 "only when `self.id is not None`"
            super(Ticket, self).save(*args, **kwargs)


class Invoice(models.Model):
    total = models.DecimalField(max_digits=9, decimal_places=2)

    def save(self, *args, **kwargs):
        if not self._state.adding:  # want: BUG047 "`Invoice.save..`"
            models.Model.save(self, *args, **kwargs)
