from django.http import JsonResponse

from .models import Card, Category, Merchant, Transaction


def get_user_transactions(request, user_id):
    transactions = Transaction.objects.filter(user_id=user_id)
    result = []
    for transaction in transactions:
        merchant = Merchant.objects.get(id=transaction.merchant_id)
        category = Category.objects.get(id=merchant.category_id)
        card = Card.objects.get(id=transaction.card_id)
        result.append({
            'id': transaction.id,
            'amount': transaction.amount,
            'merchant_name': merchant.name,
            'category_name': category.name,
            'card_last_four': card.last_four,
            'date': transaction.created_at
        })
    return JsonResponse({'transactions': result})
