import stripe
from django.db import models


class Item(models.Model):
    id = models.CharField(max_length=50, primary_key=True)
    name = models.CharField(max_length=200)
    price = models.IntegerField()

    def save(self, *args, **kwargs):
        product = stripe.Product.create(name=self.name)  # want: IDM006 "`save\(\)` of `Item` calls `stripe.Product.create` on every save"
        price = stripe.Price.create(unit_amount=self.price, currency="usd", product=product.id)
        self.id = price.id
        super().save(*args, **kwargs)


class Tax(models.Model):
    name = models.CharField(max_length=255)
    percentage = models.DecimalField(max_digits=5, decimal_places=2)
    tax_rate_id = models.CharField(max_length=255, blank=True)

    def save(self, *args, **kwargs):
        self.tax_rate_id = self.create_rate()
        super().save(*args, **kwargs)

    def create_rate(self):
        rate = stripe.TaxRate.create(display_name=self.name, percentage=self.percentage, inclusive=False)  # want: IDM006 "through `self.create_rate\(\)`"
        return rate.id
