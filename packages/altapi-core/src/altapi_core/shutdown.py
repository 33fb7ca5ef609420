"""Telling endless responses (server-sent events) that the server is shutting down.

A server finishes its in-flight responses before it stops (uvicorn waits up to its
graceful timeout), and an event stream never finishes on its own: one open stream
held a SIGTERM for the whole timeout. So the first stream to wait here wraps the
SIGINT/SIGTERM handlers the server installed in the main thread: the signal still
goes to the server, and also wakes every stream of the process, which then ends.

Only Python-level handlers are wrapped (uvicorn's, whether run by `app.run()` or
`uvicorn module:app`); where the server handles signals otherwise, or the loop is
not asyncio, `wait_for_shutdown()` never returns and streams end as before.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import weakref
from typing import Any

import anyio

__all__ = ["wait_for_shutdown"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# One event per event loop that has a stream waiting (set once, from the signal handler).
_events: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event] = (
    weakref.WeakKeyDictionary()
)


async def wait_for_shutdown() -> None:
    """Return once the server of this process has been asked to stop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # another async library: nothing to wait on
        await anyio.sleep_forever()
    _wrap_signal_handlers()
    event = _events.get(loop)
    if event is None:
        event = _events[loop] = asyncio.Event()
    await event.wait()


def _notify_streams() -> None:
    for loop, event in list(_events.items()):
        if not loop.is_closed():
            loop.call_soon_threadsafe(event.set)  # also wakes a loop waiting in select()


def _wrap_signal_handlers() -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers belong to the main thread
    for signum in _SIGNALS:
        previous = signal.getsignal(signum)
        if previous is signal.default_int_handler or getattr(previous, "_wakes_streams", False):
            continue  # Python's own Ctrl+C (no server installed one), or wrapped already
        if callable(previous):
            signal.signal(signum, _wrapping(previous))


def _wrapping(previous: Any) -> Any:
    def handler(signum: int, frame: Any) -> None:
        _notify_streams()
        previous(signum, frame)

    handler._wakes_streams = True  # type: ignore[attr-defined]
    return handler
