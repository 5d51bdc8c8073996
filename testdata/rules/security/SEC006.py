import os

import requests

SECRET_KEY = "django-insecure-7c2f0a9e4b1d8c3a5f6e"  # want: SEC006 "`SECRET_KEY` is a literal development key: the settings are startproject's development configuration"
STRIPE_KEY = "sk_live_51HxQ2eLkdT8b3Qz9wMn4Rt"  # want: SEC006 "hard-coded Stripe live key"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "PASSWORD": "Pr0d-Db-9931",  # want: SEC006 "`PASSWORD`"
    },
}
WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET", "whsec_8f7a6b5c4d3e")  # want: SEC006 "fallback"
EMAIL_HOST_PASSWORD = "qhzmwkrtplvbsndx"  # want: SEC006 "`EMAIL_HOST_PASSWORD`"
SMTP_PASSWORD = "wprt kzqm hvnb laoe"  # want: SEC006 "`SMTP_PASSWORD`"


def fetch(token="tok_4f9a8b7c6d5e"):  # want: SEC006 "`token`"
    return requests.get("https://api.example.com", headers={"Authorization": token}, auth=("me", "s3cr3t-P4ss"))


class Client:
    def __init__(self):
        self.api_key = "ak_2b9f8e7d6c5a4"  # want: SEC006 "`api_key`"


def sign(payload):
    import hashlib
    import hmac

    import jwt

    a = hmac.new(bytes("secretkey", "utf-8"), payload, hashlib.sha256)  # want: SEC006 "hard-coded signing key passed to `hmac.new`"
    b = hmac.new(b"webhook", payload, hashlib.sha256)  # want: SEC006 "signing key passed to `hmac.new`"
    c = hmac.new(key="k3y".encode(), msg=payload, digestmod="sha256")  # want: SEC006 "signing key"
    return a, b, c, jwt.encode({"sub": 1}, "jwt-secret", algorithm="HS256")  # want: SEC006 "signing key passed to `jwt.encode`"


AUTH_CONFIG = {
    "token": "k3y.Zm9vYmFy.c2lnbmF0dXJl9",  # want: SEC006 "`token`"
}


DEPLOY_KEY_PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----"  # want: SEC006 "private key"


PROVIDER_CONFIG = {"api_token": "q8Zk3pW7vN2rT5yHx4Lm"}  # want: SEC006


def send_sms(phone, text):
    headers = {
        "accept": "application/json",
        "Authorization": "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2OTIzNjAyMTUsImlzcyI6InByb3ZpZGVyIiwibmFtZSI6InNob3AtYm90In0.k9Qw3Zr7Tn2Vb5Xy8Lp4Hs6Jd1Fg0MaeUcRiOtPyW",  # want: SEC006 "hard-coded signed JSON Web Token: a bearer credential"
    }
    return requests.post("https://sms.example.org/send", json={"phone": phone, "text": text}, headers=headers, timeout=5)


def provider_client():
    return ProviderClient("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2OTIzNjAyMTUsImlzcyI6InByb3ZpZGVyIiwibmFtZSI6InNob3AtYm90In0.k9Qw3Zr7Tn2Vb5Xy8Lp4Hs6Jd1Fg0MaeUcRiOtPyW")  # want: SEC006 "signed JSON Web Token"

# A Mapbox secret token ("sk."): a credential.
MAPBOX_TOKEN = "sk.eyJ1IjoiZXhhbXBsZSIsImEiOiJjbGV4YW1wbGUifQ.c2lnbmF0dXJlLXNhbXBsZQ"  # want: SEC006 "`MAPBOX_TOKEN`"

# A real Turnstile secret key has the same prefix and length but other digits.
TURNSTILE_SECRET = os.environ.get("TURNSTILE_SECRET", "0x4AAAAAAAB8f2kQz7Wm3nXp9RvT1yLh5cE")  # want: SEC006 "`TURNSTILE_SECRET`"
