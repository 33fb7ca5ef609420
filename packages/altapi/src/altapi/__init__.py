"""AltAPI: a simple and fast ASGI microframework with WebSocket support.

This meta-package re-exports the public API of the altapi-* distributions
under the import paths users write against (`altapi.http`, `altapi.depends`, ...);
`altapi.AltAPI` is the core app with their extensions attached (see .app).
"""

from altapi_core import APIRouter

from .__about__ import __version__
from .app import AltAPI

__all__ = ["APIRouter", "AltAPI", "__version__"]
