import uuid


def is_valid_referenceid(reference_id):
    try:
        uuid.UUID(str(reference_id))
        return True
    except ValueError:
        return False


def deposit(request, wallet):
    reference_id = is_valid_referenceid(request.data.get("reference_id", None))  # want: BUG024 "`reference_id` is set to `is_valid_referenceid\(...\)`, which only returns True or False, then passed on as data \(line 15, `wallet.deposit`\): the callee gets a boolean, not the reference id"
    if reference_id:
        wallet.deposit(request.data["amount"], reference_id)


def withdraw(request, Transaction):
    reference_id = is_valid_referenceid(request.data["reference_id"])  # want: BUG024 "\(line 20, `Transaction.objects.filter`\)"
    return Transaction.objects.filter(reference_id=reference_id).first()
