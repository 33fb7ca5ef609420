"""altapi-di: not built yet; its capability arrives with issue 4 (dependency injection)."""

from .__about__ import __version__

__all__ = ["__version__"]
