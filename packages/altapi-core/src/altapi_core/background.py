"""Work that runs after the response has been sent."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from anyio.to_thread import run_sync

__all__ = ["BackgroundTask", "BackgroundTasks"]

logger = logging.getLogger("altapi.background")


class BackgroundTask:
    """One call, `fn(*args, **kwargs)`; a plain `def` runs in the thread pool."""

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.is_async = inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
            getattr(func, "__call__", None)  # noqa: B004
        )

    async def __call__(self) -> None:
        if self.is_async:
            await self.func(*self.args, **self.kwargs)
        else:
            await run_sync(lambda: self.func(*self.args, **self.kwargs))


class BackgroundTasks(BackgroundTask):
    """A list of tasks run in order; one that fails is logged and the rest still run."""

    def __init__(self, tasks: list[BackgroundTask] | None = None) -> None:
        self.tasks = list(tasks or [])

    def add_task(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.tasks.append(BackgroundTask(func, *args, **kwargs))

    async def __call__(self) -> None:
        for task in self.tasks:
            try:
                await task()
            except Exception:
                logger.exception(
                    "background task %r failed", getattr(task.func, "__name__", task.func)
                )
