import pytest

from altapi_cache import CacheManager


@pytest.fixture(autouse=True)
def fresh_cache_manager():
    CacheManager.reset()
    yield
    CacheManager.reset()
