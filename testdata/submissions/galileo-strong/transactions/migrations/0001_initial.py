from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="Category",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False)), ("name", models.CharField(max_length=100))],
        ),
        migrations.CreateModel(
            name="Card",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False)), ("last_four", models.CharField(max_length=4))],
        ),
        migrations.CreateModel(
            name="Merchant",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=200)),
                ("category", models.ForeignKey(on_delete=models.PROTECT, to="transactions.category")),
            ],
        ),
        migrations.CreateModel(
            name="Transaction",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("card", models.ForeignKey(on_delete=models.PROTECT, to="transactions.card")),
                ("merchant", models.ForeignKey(on_delete=models.PROTECT, to="transactions.merchant")),
                ("user", models.ForeignKey(on_delete=models.CASCADE, related_name="transactions", to=settings.AUTH_USER_MODEL)),
            ],
            options={"indexes": [models.Index(fields=["user", "-created_at"], name="txn_user_created_idx")]},
        ),
    ]
