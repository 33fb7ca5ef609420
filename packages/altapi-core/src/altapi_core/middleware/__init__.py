"""Middleware: declarations, the base class, and the standard set (one module each)."""

from .base import BaseMiddleware, Middleware
from .cors import CORSMiddleware
from .gzip import GZipMiddleware
from .httpsredirect import HTTPSRedirectMiddleware
from .sessions import SessionMiddleware
from .trustedhost import TrustedHostMiddleware

__all__ = [
    "BaseMiddleware",
    "CORSMiddleware",
    "GZipMiddleware",
    "HTTPSRedirectMiddleware",
    "Middleware",
    "SessionMiddleware",
    "TrustedHostMiddleware",
]
