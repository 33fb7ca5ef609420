"""altapi-cache: not built yet; its capability arrives with issue 7 (response caching)."""

from .__about__ import __version__

__all__ = ["__version__"]
