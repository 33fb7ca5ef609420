"""altapi-router: not built yet; its capability arrives with issue 3 (compiled radix router); a pure-Python router arrives first."""

from .__about__ import __version__

__all__ = ["__version__"]
