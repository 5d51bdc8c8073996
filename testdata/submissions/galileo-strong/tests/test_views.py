from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse

from transactions.models import Card, Category, Merchant, Transaction


class TransactionListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create(username="u")
        category = Category.objects.create(name="food")
        merchant = Merchant.objects.create(name="m", category=category)
        card = Card.objects.create(last_four="4242")
        Transaction.objects.bulk_create(
            Transaction(user=cls.user, merchant=merchant, card=card, amount=1) for _ in range(120)
        )

    def test_query_count_does_not_grow_with_rows(self):
        with self.assertNumQueries(2):
            response = self.client.get(reverse("user-transactions", args=[self.user.id]))
        self.assertEqual(len(response.json()["transactions"]), 50)
