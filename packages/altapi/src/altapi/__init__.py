"""AltAPI: a simple and fast ASGI microframework with WebSocket support.

This meta-package re-exports the public API of the altapi-* distributions
under the import paths users write against (`altapi.http`, `altapi.depends`, ...).
"""

from altapi_core import AltAPI, APIRouter

from .__about__ import __version__

__all__ = ["APIRouter", "AltAPI", "__version__"]
