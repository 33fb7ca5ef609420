"""`altapi.caching`: the response cache (the same objects as `altapi_cache`)."""

from altapi_cache import *  # noqa: F403
from altapi_cache import __all__ as _exported

__all__ = [name for name in _exported if name != "__version__"]
