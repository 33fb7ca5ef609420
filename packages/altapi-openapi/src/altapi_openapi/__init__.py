"""altapi-openapi: the OpenAPI 3.1 document of an AltAPI app, Swagger UI and ReDoc."""

from .__about__ import __version__
from .document import build_document
from .extension import attach

__all__ = ["__version__", "attach", "build_document"]
