import importlib.metadata

import altapi_templates


def test_installed_version_is_the_single_source_version():
    assert importlib.metadata.version("altapi-templates") == altapi_templates.__version__
