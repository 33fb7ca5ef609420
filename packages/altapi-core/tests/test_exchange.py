"""Exchange: the one place a request's after-work (tasks, dependency cleanup) is done."""

import pytest

from altapi_core.exchange import Exchange

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_exchange_finish_makes_no_coroutine_when_there_is_nothing_to_await():
    closed = []

    def resource():
        yield 1
        closed.append("closed")

    exchange = Exchange()
    assert exchange.finish() is None
    gen = resource()
    next(gen)
    exchange.push(gen)
    assert exchange.finish() is None and closed == ["closed"]  # closed synchronously
    ran = []
    exchange.background_tasks().add_task(ran.append, "task")
    await exchange.finish()
    assert ran == ["task"]


async def test_exchange_finish_skips_tasks_after_an_error_and_throws_it_into_dependencies():
    seen = []

    def resource():
        try:
            yield 1
        except ValueError as exc:
            seen.append(f"saw {exc}")

    exchange = Exchange()
    gen = resource()
    next(gen)
    exchange.push(gen)
    exchange.background_tasks().add_task(seen.append, "task")
    assert exchange.finish(ValueError("boom")) is None  # a plain generator: no coroutine
    assert seen == ["saw boom"]


async def test_exchange_finish_awaits_async_cleanup():
    closed = []

    async def resource():
        yield 1
        closed.append("async closed")

    exchange = Exchange()
    agen = resource()
    await agen.__anext__()
    exchange.push(agen)
    pending = exchange.finish()
    assert pending is not None
    await pending
    assert closed == ["async closed"] and not exchange
