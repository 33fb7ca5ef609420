import inspect
import signal
import socket
import subprocess
import sys
import textwrap
import time
from importlib.metadata import version

import httpx
import pytest

import altapi
from altapi.cli import build_parser, main

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


class Legacy:
    async def __call__(self, scope, receive, send):
        pass


v2 = AltAPI()


@v2.get("/items")
async def items():
    return PlainTextResponse("items")


os.makedirs("assets", exist_ok=True)
app.mount("/legacy", app=sub_app)
app.mount("/old", app=Legacy())
app.mount("/static", directory="assets")
app.mount("/v2", app=v2)
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


def test_routes_shows_what_each_mount_serves(app_dir, capsys):
    assert main(["routes", "cliapp:app"]) == 0
    out = capsys.readouterr().out
    assert " at 0x" not in out  # no default object repr, which is only an address
    lines = [line.split() for line in out.splitlines()]
    assert ["MOUNT", "/old", "cliapp.Legacy", "instance"] in lines
    assert ["MOUNT", "/static", "StaticFiles(directory='assets')"] in lines
    assert ["MOUNT", "/v2", "altapi.app.AltAPI", "instance"] in lines
    # the mounted app's own routes follow, under the mount's path
    assert lines[lines.index(["MOUNT", "/v2", "altapi.app.AltAPI", "instance"]) + 1] == [
        "GET",
        "/v2/items",
        "items",
        "cliapp.items",
    ]


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


def test_version_lists_altapi_and_each_distribution(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"altapi {altapi.__version__}"
    for name in ("altapi-core", "altapi-router", "altapi-di", "altapi-cache", "altapi-ratelimit"):
        assert f"{name} {version(name)}" in lines
    assert lines[-1].endswith(".".join(map(str, sys.version_info[:3])))


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--workers", "0"], "--workers: must be at least 1, got 0"),
        (["--workers", "two"], "--workers: expected a whole number, got 'two'"),
        (["--port", "70000"], "--port: must be between 0 and 65535, got 70000"),
    ],
)
def test_bad_run_options_are_a_usage_error(app_dir, capsys, option, message):
    with pytest.raises(SystemExit) as info:
        main(["run", "cliapp:app", *option])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: altapi run")
    assert message in err and "Traceback" not in err


def test_altapi_run_binds_this_machine_only_and_app_run_every_interface():
    # As docs/command-line.md and docs/deployment.md say.
    args = build_parser().parse_args(["run", "cliapp:app"])
    assert (args.host, args.port, args.workers) == ("127.0.0.1", 8000, 1)
    assert inspect.signature(altapi.AltAPI.run).parameters["host"].default == "0.0.0.0"


def test_reload_with_workers_is_refused(app_dir):
    with pytest.raises(SystemExit, match="--reload"):
        main(["run", "cliapp:app", "--reload", "--workers", "2"])


def test_run_serves_the_app_with_workers(app_dir):
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
