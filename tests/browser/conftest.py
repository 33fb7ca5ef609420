"""Fixtures for tests in a real browser: Debian's Chromium driven by Playwright.

- `chromium_page`: a Playwright Page in headless Chromium (`/usr/bin/chromium`, or
  the path in `$CHROMIUM`); nothing is downloaded. Every request to a host that is
  not loopback is aborted and recorded in `blocked_requests`.
- `serve_app("module:attr", env={...})`: runs that app with uvicorn in a subprocess on
  a free loopback port (examples/ is importable) and returns its base URL; the
  server is stopped after the test.
- A failed test leaves a screenshot of each of its pages in browser-artifacts/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "browser-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Screenshots of a failed test's pages, taken before any fixture is torn down."""
    report = yield
    page = item.funcargs.get("chromium_page") if report.when == "call" else None
    if report.failed and page is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid)
        for number, open_page in enumerate(page.context.pages):
            open_page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
    return report


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install it (apt-get install chromium; .ci/run does) "
            "or point $CHROMIUM at a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs the page tried to fetch from a host other than loopback (all aborted)."""
    return []


@pytest.fixture
def chromium_page(browser, blocked_requests):
    context = browser.new_context()
    context.set_default_timeout(10_000)

    def only_loopback(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            blocked_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    yield context.new_page()
    context.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serve_app(tmp_path):
    servers: list[subprocess.Popen] = []

    def serve(target: str, env: dict[str, str] | None = None, timeout: float = 20.0) -> str:
        port = _free_port()
        environment = {**os.environ, **(env or {})}
        pythonpath = [str(ROOT / "examples"), environment.get("PYTHONPATH", "")]
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, pythonpath))
        command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1"]
        with (tmp_path / f"server-{port}.log").open("wb") as log:
            process = subprocess.Popen(
                [*command, "--port", str(port), "--log-level", "warning"],
                cwd=tmp_path,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        servers.append(process)
        deadline = time.monotonic() + timeout
        while True:  # wait until it accepts connections, bounded by the deadline
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = (tmp_path / f"server-{port}.log").read_text(errors="replace")
                    pytest.fail(f"{target} did not start on port {port}:\n{output}")
                time.sleep(0.05)

    yield serve
    for process in servers:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
