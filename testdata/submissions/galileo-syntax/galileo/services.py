import logging

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


class GalileoService:
    def __init__(self)
        self.base_url = settings.GALILEO_URL

    def create_account(self, user_data):
        try:
            response = requests.post(f"{self.base_url}/accounts", json=user_data
        except:
            logger.error("failed")
            raise
