import os
import uuid

import pytest

from altapi_ratelimit import RateLimiter


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
