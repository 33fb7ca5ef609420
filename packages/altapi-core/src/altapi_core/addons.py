"""Add-ons that attach themselves to every app, found among the installed distributions.

A distribution names its add-on under the `altapi.addons` entry-point group
(`openapi = "altapi_openapi:attach"`); `attach(app)` is called once, at the end
of `AltAPI.__init__`. Core imports no add-on by name: installing one is what
turns it on (the `altapi` meta-package installs altapi-openapi).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

__all__ = ["attach_addons", "installed_addons"]


@functools.cache
def installed_addons() -> tuple[Callable[[Any], None], ...]:
    found = sorted(entry_points(group="altapi.addons"), key=lambda point: point.name)
    return tuple(point.load() for point in found)


def attach_addons(app: Any) -> None:
    for attach in installed_addons():
        attach(app)
