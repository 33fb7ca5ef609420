"""Re-exports of altapi_cache (its capability is not built yet; see the README)."""

from altapi_cache import *  # noqa: F403
from altapi_cache import __all__ as _exported

__all__ = [name for name in _exported if name != "__version__"]
