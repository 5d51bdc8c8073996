import hashlib
import hmac
import secrets


def direct(secret, body, header):
    return hmac.compare_digest(hmac.new(secret, body, hashlib.sha256), header)  # want: BUG016 "`compare_digest` is given `hmac.new\(secret, body, hashlib.sha256\)`, a `hmac.new` object, not its digest"


def through_a_name(request, secret):
    signature = hmac.new(secret, request.body, hashlib.sha256)
    print(signature.hexdigest())
    if hmac.compare_digest(signature, request.META.get("HTTP_X_SIGNATURE", "")):  # want: BUG016 "`signature`, a `hmac.new` object"
        return True
    return False


def hashed(token, stored):
    digest = hashlib.sha256(token.encode())
    return secrets.compare_digest(stored, digest)  # want: BUG016 "a `hashlib.sha256` object"
