"""Every router test runs on both implementations: `py` (pure) and `c` (compiled)."""

from __future__ import annotations

import importlib
import os

import pytest

from altapi_router import Router

IMPLEMENTATIONS = ["py"] if os.environ.get("ALTAPI_NO_EXTENSIONS") else ["py", "c"]
MODULES = {"py": "altapi_router._tree", "c": "altapi_router._ctree"}


def router_class(impl: str) -> type[Router]:
    tree = importlib.import_module(MODULES[impl]).Tree
    return type(f"Router_{impl}", (Router,), {"_tree_class": tree})


@pytest.fixture(params=IMPLEMENTATIONS)
def make_router(request: pytest.FixtureRequest) -> type[Router]:
    return router_class(request.param)
