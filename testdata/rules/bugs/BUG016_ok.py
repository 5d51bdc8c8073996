import hashlib
import hmac


def hexdigest(secret, body, header):
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, header)


def digest_call(secret, body, header):
    return hmac.compare_digest(hmac.new(secret, body, hashlib.sha256).digest(), header)


def rebound(secret, body, header):
    signature = hmac.new(secret, body, hashlib.sha256)
    signature = signature.hexdigest()
    return hmac.compare_digest(signature, header)


def parameter(signature, header):
    return hmac.compare_digest(signature, header)


def compare_digest(a, b):
    return a == b


def local_compare(secret, body, header):
    return compare_digest(hmac.new(secret, body, hashlib.sha256), header)
