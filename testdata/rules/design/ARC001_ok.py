import os

from django.conf import settings
from django.views import View


class GalileoService:
    def __init__(self, base_url=None, api_key=None, timeout=None):
        self.base_url = base_url or settings.GALILEO_URL
        self.api_key = api_key if api_key is not None else settings.GALILEO_API_KEY
        if timeout is None:
            timeout = settings.GALILEO_TIMEOUT
        self.timeout = timeout


class DefaultsClient:
    def __init__(self, region=os.environ.get("AWS_REGION")):
        # a parameter default: injected, evaluated at definition
        self.region = region


class AccountView(View):
    def get(self, request):
        # a view is the composition root: it reads settings and passes them on
        return GalileoService(base_url=settings.GALILEO_URL)


class Report:
    def build(self):
        return settings.REPORT_TITLE
