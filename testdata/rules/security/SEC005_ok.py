import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def masked(api_key, token, user):
    logger.info("key ending %s", api_key[-4:])
    logger.info("token length %d", len(token))
    logger.info("token for %s", user.id)
    logger.info(f"created token {token.id}")
    print("Invalid password")
    raise ValueError("invalid token")


def not_secrets(csrf_token, next_page_token, password_field, max_password_length):
    logger.debug("%s %s %s %s", csrf_token, next_page_token, password_field, max_password_length)


def config():
    timeout = settings.SECRET_ROTATION_DAYS
    logger.info("rotation %s", timeout)


def public_ids(checkout, invite):
    # On model rows a bare `token` is usually a public identifier (a UUID).
    logger.info("checkout %s invite %s", checkout.token, invite.token)


class ValidationError(Exception):
    pass


class TokenForm:
    error_messages = {"invalid_token": "Invalid token."}

    def clean(self, user):
        # The text for the error code `invalid_token`, not a token.
        if user is None:
            raise ValidationError(self.error_messages["invalid_token"])


class SecretParametersError(Exception):
    pass


class EnvironmentVariableSecretsProvider:
    @classmethod
    def get_value_for_secret(cls, secret, obj=None):
        # `secret` is the row naming where the secret is kept, not its value.
        parameters = secret.rendered_parameters(obj=obj)
        if "variable" not in parameters:
            raise SecretParametersError(secret, cls, "the variable parameter is mandatory")
        return parameters["variable"]


def generate_secret_key():
    import secrets

    # A generator script: printing the new key is its purpose.
    password = "".join(secrets.choice("abcdef0123456789") for _ in range(50))
    print(password)


def verify(payload, received_signature):
    import hashlib

    # The signature the caller sent is in the request already; a plain
    # hash of the body is no secret.
    print("received", received_signature)
    print("body hash", hashlib.sha256(payload).hexdigest())


def cache_entry(entry, setting):
    logging.info("cache %s, setting %s", entry.key, setting.key)


def stream_from(last_completed):
    # A Horizon paging token is a pagination cursor, not a credential
    # (django-polaris's transaction watcher).
    cursor = "0"
    if last_completed and last_completed.paging_token:
        cursor = last_completed.paging_token
    logging.info(f"starting transaction stream with cursor {cursor}")


# A script's top level printing the test signature it computed: its output.
import hashlib  # noqa: E402
import hmac  # noqa: E402

test_signature = hmac.new(settings.WEBHOOK_SECRET.encode(), b"{}", hashlib.sha256).hexdigest()
print(f"X-Signature: {test_signature}")


# A secret tested in a conditional expression's condition is not written:
# only the branch taken reaches the message.
def announce_token(jwt_token):
    logger.info(f"Got JWT token: {'present' if jwt_token else 'missing'}")
