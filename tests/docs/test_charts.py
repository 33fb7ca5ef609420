"""benchmarks/charts.py: the benchmarks' JSON results become docs/benchmarks.md and its
charts. Here it is fed a small results folder of its own and writes into a temp dir."""

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

CHARTS = Path(__file__).parents[2] / "benchmarks" / "charts.py"


@pytest.fixture(scope="module")
def charts():
    spec = importlib.util.spec_from_file_location("charts", CHARTS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TABLES: list[dict[str, Any]] = [
    {
        "title": "GET / in-process",
        "unit": "µs/request",
        "baseline": "raw ASGI",
        "results": {"raw ASGI": 1.15, "AltAPI": 2.64, "Starlette": 7.53},
    },
    {
        "title": "GET / under uvicorn, requests per second",
        "unit": "req/s",
        "baseline": "raw ASGI",
        "results": {"raw ASGI": 31211.4, "AltAPI": 29287.0, "Falcon": 22336.0},
    },
    {
        "title": "Lookups by path class",
        "unit": "ns/lookup",
        "baseline": None,
        "results": {
            "AltAPI": {"static": 41.0, "1 param": 95.5},
            "xrtr": {"static": 60.0, "1 param": 120.0},
        },
    },
]


def _section(page: str, title: str) -> str:
    """The part of the page under `### title`, up to the next heading."""
    found = re.search(rf"^### {re.escape(title)}\n(.*?)(?=^#|\Z)", page, re.S | re.M)
    assert found is not None, f"no section {title!r} in:\n{page}"
    return found.group(1)


def test_the_page_shows_every_table_with_a_chart_its_figures_and_which_way_is_faster(
    charts, tmp_path
):
    results, images, page = (
        tmp_path / "results",
        tmp_path / "docs" / "benchmarks",
        tmp_path / "docs" / "benchmarks.md",
    )
    results.mkdir()
    run = {
        "date": "2026-11-29T21:00:00+00:00",
        "python": "3.11.7",
        "machine": "x86_64",
        "tables": TABLES,
    }
    (results / "suite.json").write_text(json.dumps(run))
    images.mkdir(parents=True)
    (images / "gone-1.png").write_bytes(b"a chart of a table that no longer exists")

    charts.main(results, images, page)

    text = page.read_text()
    assert "## suite" in text and "`benchmarks/suite/run.py`, 2026-11-29T21:00:00+00:00" in text
    in_process, served, lookups = (_section(text, table["title"]) for table in TABLES)
    assert "Shorter is faster (µs/request)." in in_process
    assert "| raw ASGI | 1.15 |" in in_process and "| Starlette | 7.53 |" in in_process
    assert "Longer is faster (req/s)." in served
    assert "| raw ASGI | 31,211 |" in served and "| Falcon | 22,336 |" in served
    assert "Shorter is faster (ns/lookup)." in lookups
    assert "| contender | static | 1 param |" in lookups and "| xrtr | 60 | 120 |" in lookups
    # One PNG per table, linked from the page by a path relative to it; stale ones gone.
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == [f"benchmarks/suite-{number}.png" for number in (1, 2, 3)]
    assert sorted(path.name for path in images.iterdir()) == [
        "suite-1.png",
        "suite-2.png",
        "suite-3.png",
    ]
    for link in links:
        assert (page.parent / link).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("unit", "longer"),
    [("req/s", True), ("hits/s", True), ("µs/request", False), ("ms", False), ("ns/lookup", False)],
)
def test_a_rate_is_faster_when_longer_and_a_time_when_shorter(charts, unit, longer):
    assert charts.longer_is_faster(unit) is longer
