"""Dependency injection."""

from altapi_di import Depends

__all__ = ["Depends"]
