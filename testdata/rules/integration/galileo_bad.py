# The interview guide's round 4 part A snippet (GalileoService), analysed
# alone. Expected improvements and the findings that ask for them:
#   dependency injection     ARC001 (settings read in __init__), ARC002 (requests called directly)
#   retry logic              NET004
#   circuit breaker          NET005 (project-level, low confidence)
#   idempotency              IDM001
#   transaction management   TXN002 (create then delay, no atomic/on_commit)
#   mock-friendly design     ARC004 (transport + persistence + notification in one method)
#   proper error handling    NET006 (== 200, generic Exception otherwise); ERR/LOG rules add theirs
#   structured logging       LOG rules (not in this family)
import logging

import requests
from django.conf import settings

from accounts.models import Account
from notifications.tasks import send_notification

logger = logging.getLogger(__name__)


class GalileoService:  # want: NET005 "payment client `GalileoService`"
    def __init__(self):
        self.base_url = settings.GALILEO_URL  # want: ARC001 "`GalileoService` reads configuration itself"
        self.api_key = settings.GALILEO_API_KEY

    def create_account(self, user_data):  # want: ARC004 "mixes transport"
        try:
            response = requests.post(  # want: ARC002 "calls `requests.post` directly" IDM001 "without an idempotency key" NET004 "no retry policy" NET001 "without `timeout=`"
                f"{self.base_url}/accounts",
                json=user_data,
                headers={"X-API-Key": self.api_key}
            )
            if response.status_code == 200:  # want: NET006 "only `response.status_code == 200`"
                account = Account.objects.create(  # want: TXN006 "records locally what `requests.post` \(line 29\) created remotely"
                    user_id=user_data['user_id'],
                    galileo_id=response.json()['account_id']
                )
                send_notification.delay(  # want: TXN002 "follows `Account.objects.create` with no transaction"
                    user_data['user_id'],
                    'account_created'
                )
                return account
            else:
                raise Exception("Failed to create account")  # want: ERR004 "generic"
        except Exception as e:  # want: ERR002 "its own `try` raises"
            logger.error(f"Account creation failed: {e}")  # want: LOG001 "f-string"
            raise
