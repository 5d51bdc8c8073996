from django.core.paginator import Paginator
from django.http import HttpRequest, JsonResponse

from .models import Transaction

PAGE_SIZE = 50


def get_user_transactions(request: HttpRequest, user_id: int) -> JsonResponse:
    """One page of a user's transactions, newest first, in two queries."""
    transactions = (
        Transaction.objects.filter(user_id=user_id)
        .select_related("merchant__category", "card")
        .order_by("-created_at")
    )
    page = Paginator(transactions, PAGE_SIZE).get_page(request.GET.get("page"))
    result = [
        {
            "id": t.id,
            "amount": str(t.amount),
            "merchant_name": t.merchant.name,
            "category_name": t.merchant.category.name,
            "card_last_four": t.card.last_four,
            "date": t.created_at.isoformat(),
        }
        for t in page
    ]
    return JsonResponse({"transactions": result, "page": page.number, "pages": page.paginator.num_pages})
