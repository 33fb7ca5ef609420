"""altapi-templates: Jinja2 templates for AltAPI."""

from .__about__ import __version__
from .errors import TemplateNotFoundError
from .extension import Templates
from .render import render_template
from .templating import Jinja2Templates, TemplateResponse

__all__ = [
    "Jinja2Templates",
    "TemplateNotFoundError",
    "TemplateResponse",
    "Templates",
    "__version__",
    "render_template",
]
