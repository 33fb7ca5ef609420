"""`altapi.templating`: Jinja2 templates (the same objects as `altapi_templates`)."""

from altapi_templates import *  # noqa: F403
from altapi_templates import __all__ as _exported

__all__ = [name for name in _exported if name != "__version__"]
