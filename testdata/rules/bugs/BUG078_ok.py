from .models import Account


def pair(pk):
    # A one-element tuple meant as one: returned.
    row = Account.objects.get(pk=pk),
    return row


def first(pk):
    rows = Account.objects.get(pk=pk),
    return rows[0].balance


def loop(pk):
    rows = Account.objects.get(pk=pk),
    for r in rows:
        r.save()


def counted(pk):
    rows = Account.objects.get(pk=pk),
    print(rows.count(1), len(rows))


def parenthesised(pk):
    row = (Account.objects.get(pk=pk),)
    return row


def no_comma(pk):
    row = Account.objects.get(pk=pk)
    return row.balance


def rebound(pk):
    row = Account.objects.get(pk=pk),
    row = row[0]
    return row.balance


def handed_to_unknown(pk, notify):
    row = Account.objects.get(pk=pk),
    notify(row)


def keyword_name_only(pk):
    args = Account.objects.get(pk=pk),
    return dict(row=args)


class Meta:
    fields = "name",
