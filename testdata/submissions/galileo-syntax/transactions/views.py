from django.http import JsonResponse

from .models import Transaction


def get_user_transactions(request, user_id):
    transactions = Transaction.objects.filter(user_id=user_id)
    result = [
    for transaction in transactions:
        result.append({'id': transaction.id})
    return JsonResponse({'transactions': result})
