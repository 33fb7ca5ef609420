"""`Exchange`: what one request or WebSocket session leaves to do after its response."""

from __future__ import annotations

from collections.abc import Awaitable

from altapi_di import RequestScope

from .background import BackgroundTasks

__all__ = ["Exchange"]


class Exchange(RequestScope):
    """The generator dependencies one request opened (it is their RequestScope), its
    background tasks and the error seen; `finish` is the one place that cleans up."""

    # PERF: class-level defaults and no __init__: creating one is a bare list
    # allocation, and dependencies need no scope of their own (~800 instructions).
    tasks: BackgroundTasks | None = None
    error: BaseException | None = None

    def background_tasks(self) -> BackgroundTasks:
        """This request's BackgroundTasks, made on first use."""
        if self.tasks is None:
            self.tasks = BackgroundTasks()
        return self.tasks

    def finish(self, error: BaseException | None = None) -> Awaitable[None] | None:
        """Run background tasks (unless the request failed), then close dependencies.

        Returns None when that is done already (nothing to run, or only plain
        generators to close), else the awaitable that does the rest.
        """
        # PERF: the usual request (no tasks, sync generators or none) makes no coroutine.
        if self.tasks is not None and error is None:
            return self._run_tasks_then_close()
        if not self:
            return None
        return self.close(error if error is not None else self.error)

    async def _run_tasks_then_close(self) -> None:
        try:
            await self.tasks()  # type: ignore[misc]
        finally:
            if self:
                await self.aclose(self.error)
