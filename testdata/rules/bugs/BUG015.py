import random
import sys


def fetch_wallet(user):
    if user is None:
        return None, "no user"
    print("found", user)


def pick_number():
    number = random.choice([1, 2, 3])
    print(number)


def load_config(path):
    if path:
        return {"path": path}
    else:
        print("no path")


def show(user):
    wallet, message = fetch_wallet(user)  # want: BUG015 "`fetch_wallet` \(BUG015.py:5\) returns a value on some paths but falls off its end on others \(None\), and this unpacks its result: TypeError or AttributeError on those paths"
    return wallet, message


def lucky():
    n = pick_number()  # want: BUG015 "`pick_number` \(BUG015.py:11\) returns nothing, so `pick_number\(...\)` is always None, and this compares \(through `n`\) it: the comparison never holds"
    if n == 5:
        return "jackpot"
    return "no luck"


def first_key():
    return load_config("x")["path"]  # want: BUG015 "`load_config` .* indexes its result"


def main():
    for item in pick_number():  # want: BUG015 "iterates it"
        print(item)


def convert_guarded(values, op):
    match op:
        case "in":
            return values
        case _ if values:
            return list(values)


def use_guarded(values):
    for value in convert_guarded(values, "in"):  # want: BUG015 "`convert_guarded` .* falls off its end"
        print(value)
