import logging

import requests
from django.conf import settings

from accounts.models import Account
from notifications.tasks import send_notification

logger = logging.getLogger(__name__)


class GalileoService:
    def __init__(self):
        self.base_url = settings.GALILEO_URL
        self.api_key = settings.GALILEO_API_KEY

    def create_account(self, user_data):
        try:
            response = requests.post(
                f"{self.base_url}/accounts",
                json=user_data,
                headers={"X-API-Key": self.api_key}
            )
            if response.status_code == 200:
                account = Account.objects.create(
                    user_id=user_data['user_id'],
                    galileo_id=response.json()['account_id']
                )
                send_notification.delay(
                    user_data['user_id'],
                    'account_created'
                )
                return account
            else:
                raise Exception("Failed to create account")
        except Exception as e:
            logger.error(f"Account creation failed: {e}")
            raise
