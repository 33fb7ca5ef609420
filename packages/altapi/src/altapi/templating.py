"""Re-exports of altapi_templates (its capability is not built yet; see the README)."""

from altapi_templates import *  # noqa: F403
from altapi_templates import __all__ as _exported

__all__ = [name for name in _exported if name != "__version__"]
