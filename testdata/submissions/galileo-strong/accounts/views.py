from django.contrib.auth.models import User
from django.db.models import Count
from django.http import HttpRequest, JsonResponse


def list_users(request: HttpRequest) -> JsonResponse:
    """Users with their avatar and transaction count, in two queries."""
    users = (
        User.objects.select_related("profile")
        .annotate(transaction_count=Count("transactions"))
        .order_by("id")[:100]
    )
    data = [
        {
            "id": u.id,
            "avatar": u.profile.avatar.url if hasattr(u, "profile") else None,
            "transactions": u.transaction_count,
        }
        for u in users
    ]
    return JsonResponse({"users": data})
