import logging

from django.conf import settings

logger = logging.getLogger(__name__)


class Client:
    def __init__(self, api_key):
        self.api_key = api_key
        self.log = logging.getLogger("client")

    def call(self, request):
        self.log.debug("using key %s", self.api_key)  # want: SEC005 "secret `self.api_key` reaches `self.log.debug`"
        auth = request.headers["Authorization"]
        logger.warning(f"bad auth header {auth}")  # want: SEC005 "secret `auth`"
        logging.info("secret=" + settings.WEBHOOK_SECRET)  # want: SEC005 "`settings.WEBHOOK_SECRET` reaches `logging.info`"


def login(username, password):
    print("login", username, password)  # want: SEC005 "reaches `print`"
    raise ValueError("bad credentials for {} / {}".format(username, password))  # want: SEC005 "the `ValueError` message"


def extra(token):
    logger.info("refreshed", extra={"token": token})  # want: SEC005 "`token`"


class Bot:
    def run(self):
        logger.debug("bot token %s", self.token)  # want: SEC005 "`self.token`"


def check_password(password):
    if len(password.strip()) < 8:
        raise ValueError(f"password {password} is too short")  # want: SEC005 "secret `password` reaches"


def verify(payload, received):
    import hashlib
    import hmac

    expected = hmac.new(settings.WEBHOOK_SECRET.encode(), payload, hashlib.sha256).hexdigest()
    print("expected", expected)  # want: SEC005 "secret `expected` reaches `print`"
    logger.debug("sig %s", hmac.new(b"k", payload, hashlib.sha256).digest())  # want: SEC005 "reaches"
    return hmac.compare_digest(expected, received)


def register(user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)
    print(token.key)  # want: SEC005 "secret `token.key` reaches `print`"


def announce_token(jwt_token):
    logger.info(f"Got JWT token: {jwt_token if jwt_token else 'missing'}")  # want: SEC005 "`jwt_token`"


def retry_charges(charges):
    # The copy reads the secret a line above its assignment: a later turn
    # of the loop logs the key (the second round of secretVariables).
    shown = None
    for charge in charges:
        if shown is not None:
            logger.info("retrying %s with %s", charge, shown)  # want: SEC005 "secret `shown`"
        shown = value
        value = settings.STRIPE_SECRET_KEY
