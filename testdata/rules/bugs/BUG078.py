from .models import Account, User


def check_balance(sender, amount):
    if amount > sender.balance:
        raise ValueError("insufficient funds")


def transfer(request, amount):
    sender = User.objects.get(pk=request.data["sender"]),  # want: BUG078 "^`sender = User\.objects\.get\(pk=request\.data\[\"sender\"\]\),` ends with a comma: `sender` is a one-element tuple holding the result, not the result, and `check_balance` receives it as `sender` and reads `sender\.balance`: an AttributeError when it runs$"
    check_balance(sender=sender, amount=amount)


def balance_of(owner):
    account = Account.objects.get(owner=owner),  # want: BUG078 "`account\.balance` reads an attribute of it"
    return {"balance": str(account.balance)}


class Ledger:
    def close(self, pk):
        row = self.load(pk),  # want: BUG078 "`row\.closed` reads an attribute of it"
        row.closed = True
        row.save()

    def load(self, pk):
        return Account.objects.get(pk=pk)
