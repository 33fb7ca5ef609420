"""Generator dependencies: set-up, cleanup order, errors thrown in, failures logged."""

import logging
import threading

import pytest

from altapi_di import DependencyError, Depends, Injector, RequestScope

pytestmark = pytest.mark.anyio


async def run_sync(func, *args):
    """A stand-in thread runner that records which thread ran the work."""
    result = {}

    def target():
        result["value"] = func(*args)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result.get("value")


async def test_generators_closed_in_reverse_order_of_creation():
    events = []

    def first():
        events.append("open first")
        yield 1
        events.append("close first")

    async def second(one=Depends(first)):
        events.append("open second")
        yield one + 1
        events.append("close second")

    def handler(a=Depends(first), b=Depends(second)):
        raise AssertionError

    scope = RequestScope()
    kwargs = await Injector().plan(handler).solve({}, {}, scope)
    assert kwargs == {"a": 1, "b": 2}
    assert events == ["open first", "open second"]
    await scope.aclose()
    assert events == ["open first", "open second", "close second", "close first"]
    await scope.aclose()  # idempotent
    assert len(events) == 4


async def test_close_finishes_sync_generators_without_awaiting():
    events = []

    def first():
        yield 1
        events.append("close first")

    def second(one=Depends(first)):
        yield one + 1
        events.append("close second")

    def handler(a=Depends(first), b=Depends(second)):
        raise AssertionError

    scope = RequestScope()
    await Injector().plan(handler).solve({}, {}, scope)
    assert scope.close() is None
    assert events == ["close second", "close first"]
    assert scope.close() is None  # idempotent
    assert len(events) == 2


async def test_close_hands_the_rest_to_an_awaitable_at_the_first_async_generator():
    events = []

    def first():
        yield 1
        events.append("close first")

    async def second(one=Depends(first)):
        yield one + 1
        events.append("close second")

    def third(two=Depends(second)):
        yield two + 1
        events.append("close third")

    def handler(c=Depends(third)):
        raise AssertionError

    scope = RequestScope()
    await Injector().plan(handler).solve({}, {}, scope)
    rest = scope.close()
    assert events == ["close third"]
    assert rest is not None
    await rest
    assert events == ["close third", "close second", "close first"]


async def test_handler_error_is_thrown_into_generators():
    seen = []

    def sync_dep():
        try:
            yield "s"
        except ValueError as exc:
            seen.append(("sync", str(exc)))
            raise

    async def async_dep():
        try:
            yield "a"
        except ValueError as exc:
            seen.append(("async", str(exc)))
            raise

    def handler(s=Depends(sync_dep), a=Depends(async_dep)):
        raise AssertionError

    scope = RequestScope()
    await Injector().plan(handler).solve({}, {}, scope)
    await scope.aclose(ValueError("boom"))
    assert seen == [("async", "boom"), ("sync", "boom")]


async def test_setup_failure_still_closes_the_ones_already_open():
    closed = []

    def opened():
        yield "ok"
        closed.append("opened")

    def broken(x=Depends(opened)):
        raise RuntimeError("cannot connect")

    def handler(a=Depends(opened), b=Depends(broken)):
        raise AssertionError

    scope = RequestScope()
    with pytest.raises(RuntimeError, match="cannot connect") as info:
        await Injector().plan(handler).solve({}, {}, scope)
    await scope.aclose(info.value)
    assert closed == []  # the error was thrown in; the generator did not catch it


async def test_failing_cleanup_is_logged_and_others_still_run(caplog):
    closed = []

    def good():
        yield 1
        closed.append("good")

    def bad():
        yield 2
        raise OSError("disk gone")

    def handler(g=Depends(good), b=Depends(bad)):
        raise AssertionError

    scope = RequestScope()
    await Injector().plan(handler).solve({}, {}, scope)
    with caplog.at_level(logging.ERROR, logger="altapi.di"):
        await scope.aclose()
    assert closed == ["good"]
    assert "cleanup of dependency bad failed" in caplog.text
    assert "disk gone" in caplog.text


async def test_generator_that_does_not_yield_is_a_clear_error():
    def empty():
        return
        yield

    def handler(e=Depends(empty)):
        raise AssertionError

    with pytest.raises(DependencyError, match="did not yield"):
        await Injector().plan(handler).solve({}, {}, RequestScope())


async def test_plain_def_runs_inline_and_run_in_thread_off_the_loop():
    main = threading.get_ident()
    where = {}

    def inline():
        where["inline"] = threading.get_ident()
        return 1

    def blocking_a():
        where["a"] = threading.get_ident()
        yield 2
        where["a_cleanup"] = threading.get_ident()

    def blocking_b():
        where["b"] = threading.get_ident()
        return 3

    def handler(
        i=Depends(inline),
        a=Depends(blocking_a, run_in_thread=True),
        b=Depends(blocking_b, run_in_thread=True),
    ):
        raise AssertionError

    injector = Injector(run_sync=run_sync)
    plan = injector.plan(handler)
    assert [len(steps) for threaded, steps in plan.stages if threaded] == [2]  # one hop for both
    scope = RequestScope()
    assert await plan.solve({}, {}, scope) == {"i": 1, "a": 2, "b": 3}
    await scope.aclose()
    assert where["inline"] == main
    assert where["a"] != main and where["b"] != main and where["a"] == where["b"]
    assert where["a_cleanup"] != main


async def test_app_scoped_dependency_created_once_and_closed_at_shutdown():
    events = []

    async def pool():
        events.append("open pool")
        yield "pool"
        events.append("close pool")

    def handler(p=Depends(pool, scope="app")):
        raise AssertionError

    injector = Injector()
    plan = injector.plan(handler)
    await injector.startup()
    for _ in range(3):
        scope = RequestScope()
        assert await plan.solve({}, {}, scope) == {"p": "pool"}
        await scope.aclose()
    assert events == ["open pool"]
    await injector.shutdown()
    assert events == ["open pool", "close pool"]


def test_app_scoped_dependency_cannot_use_the_request():
    def needs_request(request):
        pass

    def handler(v=Depends(needs_request, scope="app")):
        pass

    with pytest.raises(DependencyError, match="app-scoped dependency cannot take 'request'"):
        Injector({"request": "request"}).plan(handler)
