import os.path
from typing import TYPE_CHECKING

from django.db import models as m

if TYPE_CHECKING:
    from decimal import Decimal

try:
    import ujson as fastjson
except ImportError:
    fastjson = None


def params(a, b=os.path.sep, *args, c: "Decimal" = None, **kwargs) -> "Unknown":
    total: Decimal = a
    for i, (x, y) in enumerate(args):
        total += x + y + i
    with open(a) as fh, open(b) as (g, h):
        fh.read(), g, h
    try:
        pass
    except ValueError as err:
        print(err)
    squares = [n * n for n in range(10) if (big := n) > 5]
    print(big, squares, kwargs, c, m.Model, fastjson)
    return lambda q, r=total: q + r


def outer():
    value = 1

    def inner():
        nonlocal value
        value += 1
        return value

    class Local:
        attr = value

    return inner, Local


def declares_global():
    global LATER
    LATER = 1


def reads_global():
    return LATER


class Model:
    CHOICES = [1, 2]
    doubled = [c * 2 for c in CHOICES]

    def method(self):
        return self.CHOICES, __class__, __name__


def guarded():
    try:
        return unicode_name
    except NameError:
        return None


def py2_and_builtins():
    return unicode, xrange, _, print, ExceptionGroup


def matches(command):
    match command:
        case {"x": px, **rest}:
            return px, rest
        case [first, *others]:
            return first, others
    return None


def later_in_function():
    def use():
        return defined_later
    defined_later = 1
    return use


type ProductID = int
type Pair[T] = tuple[T, T]


def aliases(x: ProductID) -> Pair[int]:
    return ProductID, Pair


# PEP 695 parameters bind their names: a class's are visible in its bases,
# and `*Ts` and `**P` declare a TypeVarTuple and a ParamSpec.
class Box[T]:
    pass


class LabelledBox[T](Box[T]):
    pass


def once[**P, R](func):
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return func(*args, **kwargs)

    return wrapper


def first[*Ts](*items):
    return items[0]


class Shelf[T]:
    def take(self, items) -> T:
        chosen: type[T] = items[0]
        return chosen


# A function's PEP 695 parameters are visible in its own annotations, the
# return annotation included.
class Registry:
    def __call__[PluginT: Box](self, identifier: str, kind: type[PluginT]) -> type[PluginT]:
        return kind
