import importlib.metadata

import altapi_router


def test_installed_version_is_the_single_source_version():
    assert importlib.metadata.version("altapi-router") == altapi_router.__version__
