"""altapi-ratelimit: not built yet; its capability arrives with issue 6 (shared-memory rate limiting)."""

from .__about__ import __version__

__all__ = ["__version__"]
