"""Work that runs after the response has been sent."""

from altapi_core import BackgroundTask, BackgroundTasks

__all__ = ["BackgroundTask", "BackgroundTasks"]
