import contextlib

from django.core.exceptions import ObjectDoesNotExist


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
