import requests
import stripe
from django.db import models


# Created once: the id on the row tells a creation from an update.
class Product(models.Model):
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=9, decimal_places=2)
    stripe_price_id = models.CharField(max_length=100, blank=True)

    def save(self, *args, **kwargs):
        if not self.stripe_price_id:
            self.stripe_price_id = self.get_stripe_price()["id"]
        super().save(*args, **kwargs)

    def get_stripe_price(self):
        product = stripe.Product.create(name=self.name)
        return stripe.Price.create(product=product["id"], unit_amount=round(self.price * 100), currency="usd")


# Only on creation.
class Coupon(models.Model):
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    coupon_id = models.CharField(max_length=255, blank=True)

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.coupon_id = stripe.Coupon.create(percent_off=self.percent).id
        super().save(*args, **kwargs)


# A retrieve talks to the provider and creates nothing.
class Subscription(models.Model):
    stripe_id = models.CharField(max_length=100)
    status = models.CharField(max_length=20)

    def save(self, *args, **kwargs):
        self.status = stripe.Subscription.retrieve(self.stripe_id).status
        super().save(*args, **kwargs)


# Not a model: a plain class's save().
class Exporter:
    def save(self, name):
        return stripe.Product.create(name=name)


# A create that is not a payment provider's.
class Note(models.Model):
    text = models.TextField()

    def save(self, *args, **kwargs):
        requests.post("https://example.com/hook", json={"text": self.text}, timeout=5)
        super().save(*args, **kwargs)
