"""The monorepo's packaging agrees with itself: noxfile table, pyprojects, layout."""

import ast
import importlib.metadata
import re
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def _nox_packages() -> dict[str, list[str]]:
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "PACKAGES":
            return ast.literal_eval(node.value)
    raise AssertionError("noxfile.py has no PACKAGES table")


PACKAGES = _nox_packages()


def _pyproject(name: str) -> dict:
    return tomllib.loads((ROOT / "packages" / name / "pyproject.toml").read_text())


def test_noxfile_lists_every_distribution_folder():
    folders = {p.name for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists()}
    assert folders == set(PACKAGES)


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_local_dependencies_match_the_pyproject(name):
    declared = _pyproject(name)["project"]["dependencies"]
    local = {re.split(r"[\s<>=!~\[;]", dep, maxsplit=1)[0] for dep in declared}
    local = {dep for dep in local if dep.startswith("altapi")}
    assert local == set(PACKAGES[name])


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_sibling_dependencies_are_ranges_not_pins(name):
    for dep in _pyproject(name)["project"]["dependencies"]:
        if dep.startswith("altapi"):
            assert ">=" in dep and "<" in dep and "==" not in dep, dep


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_each_distribution_has_the_standard_layout(name):
    base = ROOT / "packages" / name
    module = name.replace("-", "_")
    for part in (
        "README.md",
        f"src/{module}/__init__.py",
        f"src/{module}/__about__.py",
        f"src/{module}/py.typed",
        "tests",
    ):
        assert (base / part).exists(), f"{name} lacks {part}"
    project = _pyproject(name)
    assert project["build-system"]["build-backend"] == "hatchling.build"
    assert project["tool"]["hatch"]["version"]["path"] == f"src/{module}/__about__.py"


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_installed_version_is_the_about_version(name):
    about = (ROOT / "packages" / name / "src" / name.replace("-", "_") / "__about__.py").read_text()
    version = re.search(r'__version__ = "([^"]+)"', about).group(1)
    assert importlib.metadata.version(name) == version


def test_the_meta_package_depends_on_every_other_distribution():
    assert set(PACKAGES["altapi"]) == set(PACKAGES) - {"altapi"}
