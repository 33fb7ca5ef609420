import importlib.metadata

import altapi_ratelimit


def test_installed_version_is_the_single_source_version():
    assert importlib.metadata.version("altapi-ratelimit") == altapi_ratelimit.__version__
