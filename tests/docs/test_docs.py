"""The documentation's promises: every full program in it runs, and no link leaves
the repository.

A full program is a fenced Python block with a file name as its title
(```` ```python title="app.py" ````): test modules (`test_*.py`) are run by pytest,
other programs are run and, when they define `app`, started with the TestClient.
"""

import importlib
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from altapi.testing import TestClient

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PAGES += sorted((ROOT / "packages").glob("*/README.md"))
PROGRAM = re.compile(r'^```python title="([\w.-]+\.py)"\n(.*?)^```', re.S | re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>]+)>")


def _programs():
    for page in PAGES:
        for name, code in PROGRAM.findall(page.read_text()):
            yield pytest.param(name, code, id=f"{page.relative_to(ROOT)}:{name}")


PROGRAMS = list(_programs())


def test_the_docs_hold_full_programs():
    names = {param.values[0] for param in PROGRAMS}
    assert {"app.py", "hello.py", "test_streaming.py", "test_rate_limits.py"} <= names


@pytest.mark.parametrize(("name", "code"), PROGRAMS)
def test_full_program_runs(name, code, tmp_path, monkeypatch):
    (tmp_path / name).write_text(code)
    monkeypatch.chdir(tmp_path)  # files a program writes (SQLite databases) land here
    if name.startswith("test_"):
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", name],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return
    namespace = runpy.run_path(str(tmp_path / name), run_name="docs_program")
    if "app" in namespace:
        with TestClient(namespace["app"]) as client:
            assert client.get("/").status_code < 500


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_links_stay_inside_the_repository(page):
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)  # not in code
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", target) or target.startswith("#"):
            continue
        assert not re.match(r"[a-z]+:", target), f"{page.name} links outside: {target}"
        path = (page.parent / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(ROOT), f"{page.name} links outside the repository: {target}"
        assert path.exists(), f"{page.name} links to a missing file: {target}"


def test_the_meta_package_page_lists_every_name_of_each_module():
    page = (ROOT / "docs" / "reference" / "altapi.md").read_text()
    modules = ["http", "websocket", "depends", "background", "middleware", "caching"]
    typed = ["params", "security", "exceptions"]
    for module in [*modules, *typed, "ratelimit", "templating", "testing"]:
        row = next(line for line in page.splitlines() if line.startswith(f"| `altapi.{module}` |"))
        listed = set(re.findall(r"`(\w+)`", row.split("|")[2]))
        assert listed == set(importlib.import_module(f"altapi.{module}").__all__), module


def test_every_public_name_has_a_reference_page():
    """Each name `altapi.*` exports is rendered from the module a reference page names."""
    rendered: set[str] = set()
    for page in (ROOT / "docs" / "reference").glob("*.md"):
        for module in re.findall(r"^::: ([\w.]+)$", page.read_text(), re.M):
            rendered |= set(importlib.import_module(module).__all__)
    modules = ["http", "websocket", "depends", "background", "middleware", "caching"]
    typed = ["params", "security", "exceptions"]
    for module in [*modules, *typed, "ratelimit", "templating", "testing"]:
        exported = set(importlib.import_module(f"altapi.{module}").__all__)
        assert exported <= rendered, f"altapi.{module}: {exported - rendered} not in docs"


@pytest.mark.parametrize("package", sorted(p.name for p in (ROOT / "packages").iterdir()))
def test_each_distribution_has_a_reference_page(package):
    page = ROOT / "docs" / "reference" / f"{package}.md"
    assert page.exists(), f"add docs/reference/{package}.md (and to the nav in mkdocs.yml)"
    assert f"::: {package.replace('-', '_')}\n" in page.read_text()
    assert f"reference/{package}.md" in (ROOT / "mkdocs.yml").read_text()
