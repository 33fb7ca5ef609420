"""The errors a handler raises or an exception handler catches."""

from altapi_core.exceptions import HTTPException, WebSocketException
from altapi_core.validation import RequestValidationError

__all__ = ["HTTPException", "RequestValidationError", "WebSocketException"]
