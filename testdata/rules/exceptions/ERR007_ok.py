from decimal import Decimal, InvalidOperation
import decimal


def with_invalid_operation(text):
    try:
        return Decimal(text)
    except (ValueError, InvalidOperation):
        return None


def with_base(text):
    try:
        return Decimal(text)
    except (ValueError, decimal.DecimalException):
        return None


def broad(text):
    try:
        return Decimal(text)
    except Exception:
        return None


def outer_catches(text):
    try:
        try:
            return Decimal(text)
        except ValueError:
            return None
    except ArithmeticError:
        return None


def literal():
    try:
        return Decimal("0.01")
    except ValueError:
        return None


def no_value_error(text):
    try:
        return Decimal(text)
    except KeyError:
        return None


def unguarded(text):
    return Decimal(text)
