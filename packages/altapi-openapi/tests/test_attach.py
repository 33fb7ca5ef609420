"""The add-on attaches itself to every app through the `altapi.addons` entry point."""

from importlib.metadata import entry_points

import altapi_openapi
from altapi_core import AltAPI
from altapi_core.addons import installed_addons


def test_the_entry_point_names_attach():
    [point] = [p for p in entry_points(group="altapi.addons") if p.name == "openapi"]
    assert point.load() is altapi_openapi.attach
    assert altapi_openapi.attach in installed_addons()


def test_a_new_app_has_the_builder_and_its_routes():
    app = AltAPI()
    assert app.openapi_builder is altapi_openapi.build_document
    names = {route.name for route in app.router.routes}
    assert {"openapi", "swagger_ui", "redoc"} <= names


def test_core_does_not_import_the_addon():
    import ast
    from pathlib import Path

    import altapi_core

    for module in Path(altapi_core.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.startswith("altapi_openapi") for name in names), module
