import importlib.metadata

import altapi_cache


def test_installed_version_is_the_single_source_version():
    assert importlib.metadata.version("altapi-cache") == altapi_cache.__version__
