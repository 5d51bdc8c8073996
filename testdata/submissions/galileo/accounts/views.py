from django.contrib.auth.models import User


def print_users():
    users = User.objects.all()
    for user in users:
        print(user.profile.avatar.url)
        print(user.transactions.count())
