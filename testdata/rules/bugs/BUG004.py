import asyncio

from channels.layers import get_channel_layer


async def notify(url):
    return url


class Notifier:
    async def send(self, url):
        return url

    def sync_send(self, url):
        self.send(url)  # want: BUG004 "`self.send\(...\)` returns a coroutine that is never awaited"


async def on_payment(payment):
    notify(payment["url"])  # want: BUG004 "`notify\(...\)` returns a coroutine"
    asyncio.sleep(1)  # want: BUG004 "`asyncio.sleep\(...\)`"


def view(request):
    notify(request.GET["url"])  # want: BUG004 "`notify\(...\)`"
    channel_layer = get_channel_layer()
    channel_layer.group_send("payments", {"type": "paid"})  # want: BUG004 "`channel_layer.group_send\(...\)`"
