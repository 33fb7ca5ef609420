from collections import OrderedDict

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from altapi_cache import CacheBackend, InMemoryCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(coro_fn, *args):
    return anyio.run(coro_fn, *args)


def test_set_get_delete_clear():
    async def main():
        cache = InMemoryCache()
        await cache.set("a", b"1")
        await cache.set("b", b"22")
        assert await cache.get("a") == b"1"
        await cache.delete("a")
        assert await cache.get("a") is None
        assert await cache.get("b") == b"22"
        await cache.clear()
        assert await cache.get("b") is None
        assert len(cache) == 0
        assert cache.size_bytes == 0

    run(main)


def test_value_expires_after_its_ttl():
    clock = FakeClock()
    cache = InMemoryCache(clock=clock)
    cache.set_nowait("k", b"v", expires=10)
    clock.now += 9.99
    assert cache.get_nowait("k") == b"v"
    clock.now += 0.01
    assert cache.get_nowait("k") is None
    assert "k" not in cache
    assert cache.size_bytes == 0


def test_none_expires_means_no_expiry_and_zero_means_not_stored():
    clock = FakeClock()
    cache = InMemoryCache(clock=clock)
    cache.set_nowait("forever", b"v", expires=None)
    cache.set_nowait("never", b"v", expires=0)
    clock.now += 10**9
    assert cache.get_nowait("forever") == b"v"
    assert cache.get_nowait("never") is None


def test_least_recently_used_entry_is_evicted_first():
    cache = InMemoryCache(max_size=2)
    cache.set_nowait("a", b"1")
    cache.set_nowait("b", b"2")
    assert cache.get_nowait("a") == b"1"  # a is now the most recent
    cache.set_nowait("c", b"3")
    assert cache.get_nowait("b") is None
    assert cache.get_nowait("a") == b"1"
    assert cache.get_nowait("c") == b"3"
    assert len(cache) == 2


def test_byte_bound_evicts_until_under_limit():
    cache = InMemoryCache(max_size=100, max_bytes=30)
    cache.set_nowait("a", b"x" * 9)  # 10 bytes with the key
    cache.set_nowait("b", b"x" * 9)
    cache.set_nowait("c", b"x" * 9)
    assert cache.size_bytes == 30
    cache.set_nowait("d", b"x" * 19)  # 20 bytes: a and b must go
    assert cache.get_nowait("a") is None
    assert cache.get_nowait("b") is None
    assert cache.get_nowait("c") is not None
    assert cache.get_nowait("d") is not None
    assert cache.size_bytes == 30


def test_value_larger_than_max_bytes_is_not_stored_and_replaces_nothing():
    cache = InMemoryCache(max_bytes=10)
    cache.set_nowait("k", b"small")
    cache.set_nowait("k", b"x" * 100)
    assert cache.get_nowait("k") is None
    assert cache.size_bytes == 0


def test_overwriting_a_key_updates_byte_count():
    cache = InMemoryCache()
    cache.set_nowait("k", b"x" * 100)
    cache.set_nowait("k", b"x" * 10)
    assert cache.size_bytes == 11
    assert len(cache) == 1


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        InMemoryCache(max_size=0)
    with pytest.raises(ValueError):
        InMemoryCache(max_bytes=0)


def test_get_many_and_set_many_defaults_work_for_any_backend():
    class DictBackend(CacheBackend):
        def __init__(self):
            self.data = {}

        async def get(self, key):
            return self.data.get(key)

        async def set(self, key, value, expires=None):
            self.data[key] = value

        async def delete(self, key):
            self.data.pop(key, None)

        async def clear(self):
            self.data.clear()

    async def main():
        backend = DictBackend()
        await backend.set_many({"a": 1, "b": 2})
        assert await backend.get_many(["a", "missing", "b"]) == [1, None, 2]

    run(main)


def test_backend_without_required_methods_cannot_be_created():
    class Incomplete(CacheBackend):
        async def get(self, key):
            return None

    with pytest.raises(TypeError):
        Incomplete()  # type: ignore[abstract]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["set", "get", "delete"]),
            st.sampled_from("abcdef"),
            st.integers(min_value=0, max_value=12),
        ),
        max_size=60,
    )
)
def test_matches_a_reference_lru_model(operations):
    max_size, max_bytes = 3, 20
    cache = InMemoryCache(max_size=max_size, max_bytes=max_bytes)
    model: OrderedDict[str, bytes] = OrderedDict()
    for op, key, length in operations:
        if op == "set":
            value = b"v" * length
            model.pop(key, None)
            if length + 1 <= max_bytes:
                model[key] = value
                while len(model) > max_size or sum(len(v) + 1 for v in model.values()) > max_bytes:
                    model.popitem(last=False)
            cache.set_nowait(key, value)
        elif op == "get":
            expected = model.get(key)
            if expected is not None:
                model.move_to_end(key)
            assert cache.get_nowait(key) == expected
        else:
            model.pop(key, None)
            cache.delete_nowait(key)
        assert len(cache) == len(model)
        assert cache.size_bytes == sum(len(v) + 1 for v in model.values())
