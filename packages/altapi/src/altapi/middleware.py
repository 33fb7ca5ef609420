"""Middleware declarations, the base class, and the standard middleware set."""

from altapi_core.middleware import (
    BaseMiddleware,
    CORSMiddleware,
    GZipMiddleware,
    HTTPSRedirectMiddleware,
    Middleware,
    SessionMiddleware,
    TrustedHostMiddleware,
)

__all__ = [
    "BaseMiddleware",
    "CORSMiddleware",
    "GZipMiddleware",
    "HTTPSRedirectMiddleware",
    "Middleware",
    "SessionMiddleware",
    "TrustedHostMiddleware",
]
