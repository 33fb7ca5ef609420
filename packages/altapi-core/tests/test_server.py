"""app.run(): real servers in subprocesses, one worker and several."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from altapi_core.gctuning import GEN0_THRESHOLD

APP = """
import gc, os, sys
from altapi_core import AltAPI, JSONResponse

app = AltAPI()
MARKERS = os.environ.get("MARKERS") or sys.argv[2]


@app.get("/info")
async def info():
    return JSONResponse({"pid": os.getpid(), "gen0": gc.get_threshold()[0],
                         "frozen": gc.get_freeze_count(),
                         "server_id": os.environ.get("ALTAPI_SERVER_ID")})


@app.on_event("startup")
def record_startup():
    open(os.path.join(MARKERS, f"startup-{os.getpid()}"), "w").close()


@app.on_event("shutdown")
def record_shutdown():
    open(os.path.join(MARKERS, f"shutdown-{os.getpid()}"), "w").close()


@app.websocket("/shout")
async def shout(websocket):
    await websocket.accept()
    await websocket.send_text((await websocket.receive_text()).upper())
    await websocket.close()


@app.get("/slow")
async def slow():
    import asyncio

    open(os.path.join(MARKERS, f"inflight-{os.getpid()}"), "w").close()
    await asyncio.sleep(1.5)  # a request still running when SIGTERM arrives
    return JSONResponse({"done": True})
"""

SCRIPT = (
    APP
    + """
if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=int(sys.argv[3]),
            access_log=os.environ.get("ACCESS_LOG") == "1", graceful_timeout=5,
            server=sys.argv[4])
"""
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def _wait_until(condition, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)  # polling real processes; bounded by the deadline
    raise AssertionError(f"timed out waiting for {what}")


class Server:
    def __init__(
        self,
        tmp_path: Path,
        workers: int,
        server: str,
        script: str = SCRIPT,
        name: str = "serve.py",
        access_log: bool = False,
    ):
        self.port = _free_port()
        self.markers = tmp_path / "markers"
        self.markers.mkdir()
        self.log = tmp_path / "server.log"
        path = tmp_path / name
        path.write_text(textwrap.dedent(script))
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, str(path), str(self.port), str(self.markers), str(workers)]
                + [server],
                cwd=tmp_path,
                env={**os.environ, "ACCESS_LOG": "1" if access_log else "0"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{self.port}"

    def info(self) -> dict:
        with httpx.Client(timeout=5) as client:  # a fresh connection each time
            return client.get(self.url + "/info").json()

    def ready(self) -> dict | None:
        try:
            return self.info()
        except httpx.TransportError:
            assert self.process.poll() is None, "server exited during start-up"
            return None

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


SERVERS = ["uvicorn", "granian"]


@pytest.fixture(params=SERVERS)
def server_factory(tmp_path, request):
    """Starts `app.run(...)` under each server in turn: the same tests hold for both."""
    started = []

    def start(workers: int, **kwargs) -> Server:
        server = Server(tmp_path, workers, request.param, **kwargs)
        started.append(server)
        _wait_until(server.ready, what="the server to answer")
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def test_single_worker_serves_and_tunes_gc_after_startup(server_factory):
    server = server_factory(1)
    info = server.info()
    # uvicorn serves in the process itself; Granian's supervisor forks one worker.
    assert info["pid"] in {server.process.pid} | _children(server.process.pid)
    assert info["gen0"] == GEN0_THRESHOLD
    assert info["server_id"]
    # uvicorn re-raises the signal after a graceful shutdown, as a process should.
    assert server.stop() in (0, -signal.SIGTERM)
    pid = info["pid"]
    assert sorted(os.listdir(server.markers)) == [f"shutdown-{pid}", f"startup-{pid}"]


def test_the_framework_answers_reach_the_client_whole(server_factory):
    # The default 404 is one response with tuple headers, sent again and again, and a
    # 405 and a redirect are made without a Request (dispatch.py): each server must
    # take them as it takes any other answer, on one kept-alive connection.
    server = server_factory(1)
    with httpx.Client(base_url=server.url, timeout=5) as client:
        for _ in range(3):
            missing = client.get("/missing")
            assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
            assert missing.headers["content-length"] == str(len(missing.content))
            assert client.head("/missing").status_code == 404
            refused = client.post("/info")
            assert (refused.status_code, refused.headers["allow"]) == (405, "GET, HEAD, OPTIONS")
            moved = client.get("/info/?x=1")
            assert (moved.status_code, moved.headers["location"]) == (307, "/info?x=1")


@pytest.mark.parametrize("access_log", [True, False], ids=["access_log", "no_access_log"])
def test_websockets_are_served_and_access_log_is_switched(server_factory, access_log):
    from websockets.sync.client import connect

    server = server_factory(1, access_log=access_log)
    with connect(f"ws://127.0.0.1:{server.port}/shout") as websocket:
        websocket.send("hello")
        assert websocket.recv() == "HELLO"
    server.info()
    server.stop()
    assert ("/info" in server.log.read_text()) == access_log


def test_several_worker_processes_answer_on_one_socket(server_factory):
    server = server_factory(2)
    workers = _wait_until(
        lambda: len(_children(server.process.pid)) == 2 and _children(server.process.pid)
    )
    seen: set[int] = set()
    for _ in range(300):
        info = server.info()
        seen.add(info["pid"])
        assert info["gen0"] == GEN0_THRESHOLD
        if len(seen) == 2:
            break
    assert seen == workers


def test_workers_share_one_server_id(server_factory):
    server = server_factory(2)
    ids = {server.info()["server_id"] for _ in range(20)}
    assert len(ids) == 1


def test_a_killed_worker_is_replaced(server_factory):
    server = server_factory(2)
    before = _wait_until(
        lambda: len(_children(server.process.pid)) == 2 and _children(server.process.pid)
    )
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    after = _wait_until(
        lambda: (
            (kids := _children(server.process.pid))
            and len(kids) == 2
            and victim not in kids
            and kids
        ),
        what="a replacement worker",
    )
    assert len(after - before) == 1
    _wait_until(server.ready, what="the server to answer again")


def test_sigterm_shuts_every_worker_down_gracefully(server_factory):
    server = server_factory(2)
    workers = _wait_until(
        lambda: len(_children(server.process.pid)) == 2 and _children(server.process.pid)
    )
    # A worker stopped while it is still starting need not run shutdown: stop both
    # once both have started.
    _wait_until(
        lambda: all((server.markers / f"startup-{pid}").exists() for pid in workers),
        what="both workers' start-up",
    )
    assert server.stop() == 0
    markers = os.listdir(server.markers)
    assert sorted(m for m in markers if m.startswith("startup")) == sorted(
        f"startup-{pid}" for pid in workers
    )  # lifespan start-up ran once in each worker ...
    assert sorted(m for m in markers if m.startswith("shutdown")) == sorted(
        f"shutdown-{pid}" for pid in workers
    )  # ... and so did shutdown
    assert all(not Path(f"/proc/{pid}").exists() or _is_zombie(pid) for pid in workers)


def test_app_imported_from_a_module_runs_with_workers(server_factory, tmp_path):
    (tmp_path / "mymodule.py").write_text(textwrap.dedent(APP))
    launcher = """
    import sys
    from mymodule import app

    app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=int(sys.argv[3]), access_log=False,
            server=sys.argv[4])
    """
    server = server_factory(2, script=launcher, name="launch.py")
    assert server.info()["gen0"] == GEN0_THRESHOLD


def test_in_flight_request_finishes_during_graceful_shutdown(server_factory):
    import threading

    server = server_factory(2)
    result = {}

    def call_slow():
        with httpx.Client(timeout=30) as client:
            response = client.get(server.url + "/slow")
            result["status"], result["body"] = response.status_code, response.json()

    thread = threading.Thread(target=call_slow)
    thread.start()
    _wait_until(
        lambda: any(m.startswith("inflight") for m in os.listdir(server.markers)),
        what="the slow request to start",
    )
    assert server.stop() == 0
    thread.join(timeout=30)
    assert result == {"status": 200, "body": {"done": True}}


def test_uvicorn_workers_flag_serves_the_app(tmp_path):
    (tmp_path / "mymodule.py").write_text(textwrap.dedent(APP))
    markers = tmp_path / "markers"
    markers.mkdir()
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "mymodule:app",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path), "MARKERS": str(markers)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/info"

        def pids():
            try:
                with httpx.Client(timeout=5) as client:
                    return {client.get(url).json()["pid"] for _ in range(1)}
            except httpx.TransportError:
                assert process.poll() is None, "uvicorn exited during start-up"
                return set()

        seen: set[int] = set()
        _wait_until(
            lambda: seen.update(pids()) or len(seen) >= 2,
            timeout=40,
            what="two uvicorn workers to answer",
        )
        assert len(seen) >= 2
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


COMMANDS = {
    "uvicorn": ["uvicorn", "mymodule:app", "--no-access-log", "--port"],
    "granian": ["granian", "--interface", "asgi", "mymodule:app", "--port"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("switch", ["", "0"], ids=["default", "ALTAPI_GC_TUNING=0"])
def test_gc_is_tuned_after_startup_under_a_plain_server_command(tmp_path, command, switch):
    (tmp_path / "mymodule.py").write_text(textwrap.dedent(APP))
    markers = tmp_path / "markers"
    markers.mkdir()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "MARKERS": str(markers)}
    env["ALTAPI_GC_TUNING"] = switch or "1"
    process = subprocess.Popen(
        [sys.executable, "-m", *COMMANDS[command], str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = Server.__new__(Server)
        server.process, server.url = process, f"http://127.0.0.1:{port}"
        info = _wait_until(server.ready, what=f"{command} to answer")
        if switch == "0":
            assert info["gen0"] != GEN0_THRESHOLD and info["frozen"] == 0
        else:
            assert info["gen0"] == GEN0_THRESHOLD and info["frozen"] > 1000
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)


def test_an_unknown_server_is_refused():
    from altapi_core import AltAPI

    with pytest.raises(ValueError, match="uvicorn, granian"):
        AltAPI().run(server="hypercorn")


def test_granian_not_installed_is_a_clear_error(monkeypatch):
    from altapi_core import AltAPI

    monkeypatch.delenv("ALTAPI_SERVER_ID", raising=False)  # run() sets it; restored after
    monkeypatch.setitem(sys.modules, "granian", None)  # as if not installed
    with pytest.raises(RuntimeError, match=r"altapi-core\[granian\]"):
        AltAPI().run(server="granian")


def test_workers_must_be_positive():
    from altapi_core import AltAPI

    with pytest.raises(ValueError, match="at least 1"):
        AltAPI().run(workers=0)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
