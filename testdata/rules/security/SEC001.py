import hashlib
import hmac

from django.http import HttpResponse


def stripe_like(request, secret):
    expected = hmac.new(secret, request.body, hashlib.sha256).hexdigest()
    if expected != request.headers.get("X-Signature"):  # want: SEC001 "HMAC `expected` compared with `!=`"
        return HttpResponse(status=400)
    return HttpResponse()


def inline(request, secret):
    received = request.META["HTTP_X_HUB_SIGNATURE"]
    return hmac.new(secret, request.body, "sha256").hexdigest() == received  # want: SEC001 "HMAC `hexdigest\(\)`"


def by_name(signature, computed_sig):
    return signature == computed_sig  # want: SEC001 "`signature`"


def api_token(request, settings):
    if request.headers.get("X-Api-Token") != settings.API_TOKEN:  # want: SEC001 "`X-Api-Token`"
        return False
    return True


def unkeyed(request):
    return hashlib.sha256(request.body).hexdigest() == request.headers["X-Checksum"]  # want: SEC001 "digest `hexdigest\(\)` of a request header"


def configured(request, settings):
    return request.headers.get("X-Token") == settings.API_TOKEN  # want: SEC001


def check_mac(request, secret):
    expected_mac = hmac.new(secret, request.body, "sha256").hexdigest()
    return expected_mac == request.headers["X-Mac"]  # want: SEC001 "`expected_mac` compared with `==`"


def any_token_matches(request, tokens):
    received_token = request.headers.get("X-Token")
    for token in tokens:
        if token == received_token:  # want: SEC001
            return True
    return False


def verify_and_store(request, confirmation):
    # The body stores something else: the comparison is a check, not a sync.
    received_signature = request.headers.get("X-Signature")
    if confirmation.signature != received_signature:  # want: SEC001 "`signature`"
        confirmation.rejected = True
        confirmation.save()


def find_webhook(request, webhooks):
    received = request.headers.get("X-Signature")
    for hook in webhooks:
        if hook["signature"] == received:  # want: SEC001
            return hook
    return None


def unlock_door(request, door):
    # A token the caller sends, named for what it unlocks: still a credential.
    if request.headers.get("X-Unlock-Token") == door.access_token:  # want: SEC001
        door.open()


def same_key(submitted, account):
    # Two objects' keys, neither named for a stored state: a check of a key.
    return submitted.api_key != account.api_key  # want: SEC001
