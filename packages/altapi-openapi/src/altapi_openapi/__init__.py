"""altapi-openapi: the OpenAPI 3.1 document of an AltAPI app, Swagger UI and ReDoc."""

from .__about__ import __version__
from .document import build_document
from .extension import OpenAPI

__all__ = ["OpenAPI", "__version__", "build_document"]
