"""altapi-templates: not built yet; its capability arrives with issue 7 (Jinja2 templates)."""

from .__about__ import __version__

__all__ = ["__version__"]
