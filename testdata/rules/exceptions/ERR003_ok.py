import contextlib

from django import db
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError


def optional():
    try:
        import ujson as json
    except ImportError:
        pass


def lookups(d, user):
    try:
        del d["x"]
    except KeyError:
        pass
    try:
        user.profile.delete()
    except (ObjectDoesNotExist, AttributeError):
        pass


def explained(job):
    try:
        job.cleanup()
    except OSError:
        # the temp file may already be gone; nothing to do
        pass


def handled(job):
    try:
        job.run()
    except RuntimeError:
        job.failed = True


def suppress(job):
    with contextlib.suppress(OSError):
        job.cleanup()


def bare():
    try:
        pass
    except:  # noqa: ERR001
        pass


def parse_int(value):
    try:
        value = int(value)
    except ValueError:
        pass
    return value


def parse_ip(value):
    from netaddr import AddrFormatError, IPNetwork

    try:
        return IPNetwork(value)
    except (AddrFormatError, ValueError):
        pass


def control_flow(hook):
    try:
        hook.call()
    except SkipWebhookCall:
        pass


def ensure_root_user(User):
    # Insert, ignoring the duplicate: the error can only mean "already there".
    try:
        User.objects.create_superuser("root", "root@example.com", "x")
    except IntegrityError:
        pass


def record_decline(Decline, tx):
    try:
        Decline.objects.create(tx=tx)
    except db.IntegrityError:
        pass


def object_url(obj):
    # An exception named for what is not there: an expected absence.
    url = None
    try:
        url = get_model_url(obj)
    except NoModelUrl:
        pass
    return url or "#"


def replace_user_admin(admin, User):
    # Not registered yet: nothing to replace.
    try:
        admin.site.unregister(User)
    except admin.sites.NotRegistered:
        pass


class Rollback(Exception):
    pass


def dry_run(apply):
    # The block's writes are rolled back on purpose: the exception is the signal.
    try:
        with db.transaction.atomic():
            apply()
            raise Rollback
    except Rollback:
        pass
