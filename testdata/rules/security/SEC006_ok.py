import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
API_KEY = os.environ.get("API_KEY", "")
PASSWORD_RESET_TIMEOUT = 3600
DB_PASSWORD = "change-me-in-production"
GITHUB_TOKEN = "<your-token-here>"
AWS_SECRET = "xxxxxxxxxxxxxxxx"
TOKEN_HEADER = "X-Api-Token"
client_secret = "client_secret"
SECRET_ENV = "STRIPE_SECRET_KEY"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_TOKEN_BACKEND = "accounts.backends.TokenBackend"
password_label = "Enter your password"
CSRF_TOKEN = "csrfmiddlewaretoken"


def login(client):
    return client.login(username="bob", password="pw")


def sign(payload, secret):
    import hashlib
    import hmac

    from django.conf import settings

    a = hmac.new(settings.WEBHOOK_SECRET.encode(), payload, hashlib.sha256)
    b = hmac.new(secret, payload, hashlib.sha256)
    c = hmac.new(b"", payload, hashlib.sha256)
    d = hashlib.sha256(b"not a key").hexdigest()
    return a, b, c, d


# djoser's SERIALIZERS map: the "token" entry names a serializer class by
# its import path (Flagsmith's settings).
DJOSER = {
    "SERIALIZERS": {
        "token": "custom_auth.serializers.CustomTokenSerializer",
        "token_create": "custom_auth.serializers.CustomTokenCreateSerializer",
    },
}


# A JSON-LD context maps each term to its compact IRI (takahe's ActivityPub
# context): a value that spells its own name is a term, not a secret.
LD_CONTEXT = {
    "Credential": "cred:Credential",
    "CryptographicKeyCredential": "cred:CryptographicKeyCredential",
    "privateKeyPem": {"@id": "sec:privateKeyPem"},
}


# A PEM marker alone is no key (IntelOwl strips the markers off a key read
# from configuration), and a password's pattern is no password.
REGEX_PASSWORD = r"^[a-zA-Z0-9]{12,}$"


def ssh_key_body(key):
    key = key.replace("-----BEGIN OPENSSH PRIVATE KEY-----", "")
    return key.replace("-----END OPENSSH PRIVATE KEY-----", "")


# An e-mail previewer's made-up context: sample values, not secrets.
dummy_context = {}
dummy_context.update(
    {
        "email_change_token": {"verification_token": "aBcDXyZ123-", "unsubscribe_url": "https://ui/x?authToken=abc123"},
    }
)
PREVIEW_CONTEXT = {"reset": {"token": "q8Zk3pW7vN2rT5yH"}}

# Sixteen letters that are a label, a placeholder or no password: not app passwords.
EMAIL_HOST_PASSWORD_FIELD_NAME = "hostpasswordfield"
EMAIL_HOST_PASSWORD = "yourapppasswordx"
EMAIL_HOST_USER = "notificationsbot"
SMTP_PASSWORD = "aaaabbbbccccdddd"


# An unsigned token ("alg": "none") carries no credential, and jwt.io's sample
# token is documentation.
UNSIGNED_SAMPLE = "eyJhbGciOiJub25lIn0.eyJleHAiOjE2OTIzNjAyMTUsImlzcyI6InByb3ZpZGVyIiwibmFtZSI6InNob3AtYm90In0."
DOC_SAMPLE = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
NOT_A_TOKEN = "eyJhbGciOiJIUzI1NiJ9.not-base64-json.abcdefghijklmnopqrstuvwx"

# Public tokens by design: a Mapbox public token ("pk.") and a Stripe
# publishable key are sent to every browser.
MAPBOX_TOKEN = "pk.eyJ1IjoiZXhhbXBsZSIsImEiOiJjbGV4YW1wbGUifQ.c2lnbmF0dXJlLXNhbXBsZQ"
STRIPE_PUBLISHABLE_TOKEN = "pk_live_51HxQ2eLkdT8b3Qz9wMn4Rt"

# The dummy secret keys captcha providers document for tests (Cloudflare
# Turnstile's "always passes" and "always fails" keys, reCAPTCHA's test
# secret), as a value or as an environment lookup's fallback (session 31).
TURNSTILE_SECRET = os.environ.get("TURNSTILE_SECRET", "1x0000000000000000000000000000000AA")
TURNSTILE_FAILING_SECRET = "2x0000000000000000000000000000000AA"
RECAPTCHA_PRIVATE_KEY = "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"
