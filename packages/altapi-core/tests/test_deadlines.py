import anyio
import pytest

from altapi_core.deadlines import receive_within

pytestmark = pytest.mark.anyio


async def test_a_message_in_time_is_returned():
    async def receive():
        return {"type": "http.request", "body": b"x"}

    assert await receive_within(receive, 5) == {"type": "http.request", "body": b"x"}


async def test_a_late_message_gives_none_and_the_task_goes_on():
    async def receive():
        await anyio.sleep(30)
        return {}

    with anyio.fail_after(5):  # the watcher looks every quarter second
        assert await receive_within(receive, 0.1) is None
    await anyio.sleep(0)  # the task was not left cancelled


async def test_a_cancellation_from_outside_is_not_swallowed():
    reached = []

    async def receive():
        await anyio.sleep(30)
        return {}

    with anyio.move_on_after(0.1) as scope:
        await receive_within(receive, 10)
        reached.append(True)
    assert scope.cancelled_caught and not reached
