import importlib.metadata

import altapi_di


def test_installed_version_is_the_single_source_version():
    assert importlib.metadata.version("altapi-di") == altapi_di.__version__
