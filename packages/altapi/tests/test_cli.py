import signal
import socket
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from altapi.cli import main

APP = """
import os
from altapi import AltAPI
from altapi.http import PlainTextResponse

app = AltAPI()


@app.get("/users/{id:int}", name="user")
async def get_user(id: int):
    return PlainTextResponse(f"user {id} from {os.getpid()}")


@app.websocket("/ws")
async def socket(ws):
    await ws.accept()


async def sub_app(scope, receive, send):
    pass


app.mount("/legacy", app=sub_app)
"""


@pytest.fixture
def app_dir(tmp_path, monkeypatch):
    (tmp_path / "cliapp.py").write_text(textwrap.dedent(APP))
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    sys.modules.pop("cliapp", None)


def test_routes_prints_method_path_name_and_handler(app_dir, capsys):
    assert main(["routes", "cliapp:app"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["METHODS", "PATH", "NAME", "HANDLER"]
    assert lines[1].split() == ["GET", "/users/{id:int}", "user", "cliapp.get_user"]
    assert lines[2].split() == ["WEBSOCKET", "/ws", "socket", "cliapp.socket"]
    assert lines[3].split() == ["MOUNT", "/legacy", "cliapp.sub_app"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("cliapp", "MODULE:APP"),
        ("nosuchmodule:app", "cannot import"),
        ("cliapp:nope", "no attribute"),
    ],
)
def test_bad_targets_give_a_clear_error(app_dir, target, message):
    with pytest.raises(SystemExit) as info:
        main(["routes", target])
    assert message in str(info.value)


def test_help_explains_both_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "run" in out and "routes" in out


def test_reload_with_workers_is_refused(app_dir):
    with pytest.raises(SystemExit, match="--reload"):
        main(["run", "cliapp:app", "--reload", "--workers", "2"])


def test_reload_runs_under_uvicorn_only(app_dir):
    with pytest.raises(SystemExit, match="--server"):
        main(["run", "cliapp:app", "--reload", "--server", "granian"])


@pytest.mark.parametrize("server", [[], ["--server", "granian"]], ids=["uvicorn", "granian"])
def test_run_serves_the_app_with_workers(app_dir, server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "altapi",
            "run",
            "cliapp:app",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
            *server,
        ],
        cwd=app_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        pids = set()
        while time.monotonic() < deadline and len(pids) < 2:
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/users/5", timeout=5).text
                assert text.startswith("user 5 from ")
                pids.add(text.rsplit(" ", 1)[1])
            except httpx.TransportError:
                assert process.poll() is None, "altapi run exited"
                time.sleep(0.05)  # waiting for the server to bind; bounded by the deadline
        assert len(pids) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
