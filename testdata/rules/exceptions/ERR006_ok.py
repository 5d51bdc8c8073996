import logging

import requests
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

logger = logging.getLogger(__name__)


def get_user(model, pk):
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        return None


def parse(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def logged(url):
    try:
        return requests.get(url, timeout=5).json()
    except requests.RequestException:
        logger.warning("rate lookup failed", exc_info=True)
        return None


def explained(url):
    try:
        return requests.head(url, timeout=5)
    except requests.RequestException:
        # a missing preview is fine: the page renders without it
        return None


def fallback(url):
    try:
        return requests.get(url, timeout=5).json()
    except requests.RequestException:
        return {}


def image_size(image, expected_exceptions):
    try:
        return image.size
    except tuple(expected_exceptions):
        return None


def from_registry(registry, name):
    try:
        return registry.get(name)
    except registry.does_not_exist_exception_class:
        return None


def parse_output(parser, text):
    try:
        return parser.parse(text)
    except OutputParserException:
        return None


def visible_post(thread_type, request, post_id):
    # Not found or not allowed: an expected outcome for this lookup.
    try:
        return thread_type.get_post(request, post_id)
    except (Http404, PermissionDenied):
        return None


class LenientTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        # None: not this authenticator's token, DRF asks the next one.
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            return None


class LockNotOwnedError(Exception):
    pass


class RedisLock:
    def release(self):
        # A procedure: its callers read no result, so None hides nothing.
        try:
            self.lock.release()
        except LockNotOwnedError:
            return
        self.lock = None


def user_exists(client, email):
    """True or False, or None when the lookup fails: the caller can tell the three apart."""
    try:
        return bool(client.get_user(email=email))
    except Exception:  # pylint: disable=broad-except
        # In case of error, we don't know if the user exists
        return None


def is_member(client, group, user):
    try:
        return user in client.members(group)
    except ConnectionError:
        return None
