from celery import current_app
from celery.result import AsyncResult

from proj.celery import app
from .tasks import send_mailing


def reschedule(mailing, data):
    task_id = mailing.celery_task_id
    current_app.control.revoke(task_id)
    mailing.start_time = data["start_time"]
    mailing.save()
    send_mailing.apply_async([mailing.id], eta=data["start_time"], task_id=task_id)  # want: CEL011 "the task is queued again under `task_id`, the id revoked on line 10: workers keep revoked ids"


def postpone(reminder, eta):
    AsyncResult(reminder.task_id).revoke()
    app.send_task("reminders.send", args=[reminder.id], eta=eta, task_id=reminder.task_id)  # want: CEL011 "under `reminder.task_id`"


class MailingView:
    def put(self, request, pk):
        instance = self.get_object(pk)
        app.control.revoke(instance.celery_task_id, terminate=True)
        send_mailing.apply_async(args=[instance.id], task_id=instance.celery_task_id)  # want: CEL011 "the id revoked on line 24"
