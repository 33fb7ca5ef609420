"""Every test runs on both tables: `py` (pure, lockf) and `c` (compiled, lock word)."""

import importlib
import os
import uuid

import pytest

from altapi_ratelimit import RateLimiter
from altapi_ratelimit import limiter as limiter_module

IMPLEMENTATIONS = ["py"] if os.environ.get("ALTAPI_NO_EXTENSIONS") else ["py", "c"]
MODULES = {"py": "altapi_ratelimit._table", "c": "altapi_ratelimit._ctable"}


@pytest.fixture(params=IMPLEMENTATIONS, autouse=True)
def impl(request, monkeypatch):
    """The table implementation under test, for this process and the processes it starts:
    forked children inherit the patched class, spawned ones (uvicorn workers, spawn
    contexts) choose by ALTAPI_NO_EXTENSIONS like any process."""
    table = importlib.import_module(MODULES[request.param]).Table  # a missing build fails
    monkeypatch.setattr(limiter_module, "Table", table)
    if request.param == "py":
        monkeypatch.setenv("ALTAPI_NO_EXTENSIONS", "1")
    else:
        monkeypatch.delenv("ALTAPI_NO_EXTENSIONS", raising=False)
    return request.param


@pytest.fixture
def table_class(impl):
    return importlib.import_module(MODULES[impl]).Table


class FakeClock:
    """A settable clock: window tests move time instead of sleeping."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def namespace():
    """A namespace of its own for each test, so no two tests share a table."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def make_limiter(clock, namespace):
    made = []

    def make(*args, **options):
        options.setdefault("clock", clock)
        options.setdefault("namespace", namespace)
        limiter = RateLimiter(*args, **options)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        path = limiter._table.path if limiter._table else None
        limiter.close()
        assert path is None or not os.path.exists(path), "the table file outlived its users"
