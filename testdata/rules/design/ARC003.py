import boto3
import redis
import requests
from stripe import StripeClient

s3 = boto3.client("s3")  # want: ARC003 "`s3` \(`boto3.client`\) is created at import time"
session = requests.Session()  # want: ARC003 "requests.Session"
stripe_client = StripeClient("sk_test_x")  # want: ARC003 "stripe.StripeClient"

try:
    cache = redis.Redis(host="localhost")  # want: ARC003 "redis.Redis"
except ImportError:
    cache = None
