"""altapi-di: dependency injection planned once per handler, with guaranteed cleanup.

from altapi_di import Depends, Injector, RequestScope
injector = Injector({"request": "request"})
plan = injector.plan(handler, path_params=["id"])
kwargs = await plan.solve({"request": request}, {"id": 1}, scope)
...
await scope.aclose()
"""

from .__about__ import __version__
from .depends import DependencyError, Depends
from .injector import Injector
from .plan import Plan
from .scope import RequestScope

__all__ = ["DependencyError", "Depends", "Injector", "Plan", "RequestScope", "__version__"]
