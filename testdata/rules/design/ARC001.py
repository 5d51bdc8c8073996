import os

from django.conf import settings


class GalileoService:
    def __init__(self):
        self.base_url = settings.GALILEO_URL  # want: ARC001 "`GalileoService` reads configuration itself: `settings.GALILEO_URL`, `settings.GALILEO_API_KEY`"
        self.api_key = settings.GALILEO_API_KEY


class SmsClient:
    def send(self, to, text):
        token = os.environ["SMS_TOKEN"]  # want: ARC001 "`os.environ\[\"SMS_TOKEN\"\]`"
        return token, to, text


class Mailer:  # not a service name, not in a services module: silent
    def send(self):
        return os.getenv("MAIL_HOST")


class PayoutProcessor:
    def run(self):
        return getattr(settings, "PAYOUT_LIMIT", 100)  # want: ARC001 "`settings.PAYOUT_LIMIT`"
