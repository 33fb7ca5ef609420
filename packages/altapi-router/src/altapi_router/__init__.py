"""altapi-router: a segment radix-tree URL router, compiled with Cython, with a pure twin.

from altapi_router import Router
router = Router()
router.add("/users/{id:int}", handler, methods=["GET"], name="user")
router.match("GET", "/users/42")     # (handler, {"id": 42}) or None
"""

from .__about__ import __version__
from ._compat import COMPILED
from .converters import Converter, register_converter
from .errors import NoMatchFound, RouteConflictError
from .router import Router
from .routes import Route

__all__ = [
    "COMPILED",
    "Converter",
    "NoMatchFound",
    "Route",
    "RouteConflictError",
    "Router",
    "__version__",
    "register_converter",
]
