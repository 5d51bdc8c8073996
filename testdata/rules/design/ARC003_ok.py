import functools

import boto3
import requests
from celery import Celery

app = Celery("proj")
TIMEOUT = 10


@functools.cache
def get_s3():
    return boto3.client("s3")


class Client:
    session = None

    def __init__(self):
        self.session = requests.Session()


if __name__ == "__main__":
    s3 = boto3.client("s3")
