import anyio

from altapi_cache import CacheBackend, CacheManager, InMemoryCache
from altapi_cache.manager import _forget_inherited_memory_cache


def test_default_backend_is_one_lazily_created_in_memory_cache():
    backend = CacheManager.get_backend()
    assert isinstance(backend, InMemoryCache)
    assert CacheManager.get_backend() is backend
    assert CacheManager.prefix == "altapi-cache"


def test_init_sets_backend_and_prefix_and_reset_restores_defaults():
    backend = InMemoryCache(max_size=5)
    CacheManager.init(backend, prefix="p")
    assert CacheManager.get_backend() is backend
    assert CacheManager.prefix == "p"
    CacheManager.reset()
    assert CacheManager.get_backend() is not backend
    assert CacheManager.prefix == "altapi-cache"


def test_clear_empties_the_default_backend():
    backend = CacheManager.get_backend()
    assert isinstance(backend, InMemoryCache)
    backend.set_nowait("k", b"v")
    anyio.run(CacheManager.clear)
    assert len(backend) == 0


def test_a_forked_worker_does_not_keep_the_parents_memory_cache():
    inherited = CacheManager.get_backend()
    _forget_inherited_memory_cache()
    assert CacheManager.get_backend() is not inherited


def test_a_shared_backend_is_kept_after_fork():
    class Shared(CacheBackend):
        async def get(self, key):
            return None

        async def set(self, key, value, expires=None):
            pass

        async def delete(self, key):
            pass

        async def clear(self):
            pass

    shared = Shared()
    CacheManager.init(shared)
    _forget_inherited_memory_cache()
    assert CacheManager.get_backend() is shared
