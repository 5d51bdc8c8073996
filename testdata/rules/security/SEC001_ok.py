import hashlib
import hmac


def constant_time(request, secret):
    expected = hmac.new(secret, request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("X-Signature", ""))


def literal(signature, token):
    if signature == "" or token is None:
        return False
    return len(signature) == 64


def checksum(path, stored):
    # An unkeyed file checksum compared with a stored value is not a secret.
    return hashlib.sha256(open(path, "rb").read()).hexdigest() == stored


def not_secrets(token, page_token, csrf_token, other):
    a = token.type == other.type
    b = page_token == other
    c = csrf_token == other
    return a and b and c


def chained(a_sig, b_sig, c_sig):
    return a_sig == b_sig == c_sig


ANONYMOUS_TOKEN = "anonymous"
DISMISSED_KEY = "dismissed"


def constants(token, password, confirm_password):
    return token == ANONYMOUS_TOKEN or password != confirm_password


from .constants import CONSTRAINT_TOKEN_USER


class Validator:
    REQUEST_TOKEN = "request"

    def applies(self, attr_path, token):
        return attr_path.split(".")[0] == self.REQUEST_TOKEN or token == CONSTRAINT_TOKEN_USER


def dismissed(state, token):
    # A bare `token` against a value of unknown kind: a content hash, not a credential.
    return state.get(DISMISSED_KEY) == token


class Ethernet:
    def changed(self, old):
        # A network card's MAC address, not a message authentication code.
        return old.mac != self.mac

    def renamed(self, name, mac):
        # A device named after its MAC address: normalised, still an address.
        normalized_name = name.replace(":", "").lower()
        normalized_mac = mac.replace(":", "").lower()
        return normalized_name != normalized_mac


def update_links(sender, instance, **kwargs):
    # Change detection: the token a row was loaded with against its new one.
    token_changed = bool(instance._initial_token) and instance._initial_token != instance.token
    return token_changed


def rewritten_tokens(value, new):
    # Lexical tokens of two strings compared pairwise: no secret is checked.
    changed = []
    for old_token, new_token in zip(value.split(","), new.split(",")):
        if old_token == new_token:
            continue
        changed.append(new_token)
    return changed


def store_confirmation(confirmation, safe_signature, exported_signature):
    # A stored signature brought up to date when it differs: the if's body
    # assigns the other side to the compared attribute (safe-transaction-service).
    if HexBytes(confirmation.signature) != exported_signature:
        confirmation.signature = exported_signature
        confirmation.save(update_fields=["signature"])
    if (
        confirmation.signature != safe_signature.export_signature()
        or confirmation.signature_type != safe_signature.signature_type
    ):
        confirmation.signature = safe_signature.export_signature()
        confirmation.save()


def recent_hashes(feed, signatures):
    # A feed's records matched against configured malware family names:
    # both sides are loop items, no caller's secret.
    hashes = set()
    for signature in signatures:
        for elem in feed.query(signature):
            if elem["signature"] == signature:
                hashes.add(elem["sha256_hash"])
    return hashes


class PersistentLock:
    # A distributed lock's owner id: compared to extend its own lock, no
    # caller's credential.
    def refresh(self):
        current_value = self.redis_client.get(self.lock_key)
        if current_value and current_value == self.lock_token:
            self.redis_client.expire(self.lock_key, self.lock_timeout)
            return True
        return False


def api_key_updated(sender, instance, **kwargs):
    # A pre_save receiver: the stored row's key against the one being saved,
    # change detection; no caller's secret is checked.
    old_instance = sender.objects.get(pk=instance.pk)
    if old_instance.api_key != instance.api_key:
        instance.api_key_last_updated = "now"
