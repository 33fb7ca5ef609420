"""Re-exports of altapi_ratelimit (its capability is not built yet; see the README)."""

from altapi_ratelimit import *  # noqa: F403
from altapi_ratelimit import __all__ as _exported

__all__ = [name for name in _exported if name != "__version__"]
