from uuid import uuid4

from celery import current_app

from .tasks import send_mailing


def reschedule_fresh(mailing, eta):
    current_app.control.revoke(mailing.celery_task_id)
    result = send_mailing.apply_async([mailing.id], eta=eta)
    mailing.celery_task_id = result.id
    mailing.save()


def reschedule_new_id(mailing, eta):
    task_id = mailing.celery_task_id
    current_app.control.revoke(task_id)
    task_id = str(uuid4())
    send_mailing.apply_async([mailing.id], eta=eta, task_id=task_id)


def queue_then_cancel(mailing):
    # Queued first, revoked afterwards: a cancel.
    send_mailing.apply_async([mailing.id], task_id=mailing.celery_task_id)
    current_app.control.revoke(mailing.celery_task_id)


def other_id(mailing, eta):
    current_app.control.revoke(mailing.old_task_id)
    send_mailing.apply_async([mailing.id], eta=eta, task_id=mailing.next_task_id)


def not_celery(cache, token, eta):
    cache.revoke(token)
    send_mailing.apply_async([1], eta=eta, task_id=token)
