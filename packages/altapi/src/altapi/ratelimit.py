"""`altapi.ratelimit`: rate limits shared by worker processes (the same objects as `altapi_ratelimit`)."""

from altapi_ratelimit import *  # noqa: F403
from altapi_ratelimit import __all__ as _exported

__all__ = [name for name in _exported if name != "__version__"]
