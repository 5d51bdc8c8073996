import asyncio

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer


async def notify(url):
    return url


def plain(url):
    return url


@sync_to_async
def wrapped(url):
    return url


@some_decorator
async def decorated(url):
    return url


async def on_payment(payment):
    await notify(payment["url"])
    task = asyncio.create_task(notify(payment["url"]))
    await asyncio.gather(notify("a"), notify("b"))
    await asyncio.sleep(1)
    plain("x")
    decorated("x")
    return task


def view(request):
    asyncio.run(notify("x"))
    async_to_sync(notify)("x")
    async_to_sync(get_channel_layer().group_send)("payments", {"type": "paid"})
    coro = notify("x")
    return coro
