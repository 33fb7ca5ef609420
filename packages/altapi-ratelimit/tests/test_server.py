"""Real servers in subprocesses: app.run(workers=2) shares one table and removes it."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

SCRIPT = """
import os, sys
from altapi_core import AltAPI, JSONResponse
from altapi_ratelimit import rate_limit

app = AltAPI()


@app.middleware("http")
async def tag_worker(request, call_next):
    response = await call_next(request)
    response.headers["x-pid"] = str(os.getpid())
    return response


@app.get("/hit")
@rate_limit(20, 3600, key_func=lambda request: "everyone")
async def hit(request):
    return JSONResponse({"pid": os.getpid()})


@app.get("/table")
async def table(request):
    return JSONResponse({"path": hit.__altapi_rate_limiter__.path})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=2, access_log=False,
            graceful_timeout=5, log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> httpx.Response:
    with httpx.Client(timeout=10) as client:  # a fresh connection: either worker may answer
        return client.get(url)


def _wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            _get(url + "/table")
            return
        except httpx.TransportError:
            assert process.poll() is None, "server exited during start-up"
            time.sleep(0.05)  # polling a starting process; bounded by the deadline
    raise AssertionError("the server did not answer")


UVICORN = [sys.executable, "-m", "uvicorn", "serve:app", "--workers", "2", "--log-level", "warning"]


@pytest.mark.parametrize("mode", ["app.run", "uvicorn"])
def test_two_workers_admit_exactly_the_limit_and_remove_the_table(tmp_path, mode):
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(SCRIPT))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    if mode == "app.run":
        command = [sys.executable, str(script), str(port)]
    else:
        command = [*UVICORN, "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(url, process)
        paths = {_get(url + "/table").json()["path"] for _ in range(10)}
        assert len(paths) == 1  # both workers named the same table
        (path,) = paths
        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(lambda _: _get(url + "/hit"), range(120)))
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) == 20
        assert statuses.count(429) == 100
        assert len({r.headers["x-pid"] for r in responses}) == 2  # both workers answered
        assert os.path.exists(path)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not os.path.exists(path)  # the last worker out removed the table
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


KILLED_WORKER_SCRIPT = """
import os, sys
from altapi_core import AltAPI, JSONResponse
from altapi_ratelimit import rate_limit

app = AltAPI()


@app.get("/ping")
async def ping():
    return JSONResponse({"pid": os.getpid()})


@app.get("/hit")
@rate_limit(20, 3600, key_func=lambda request: "everyone")
async def hit():
    return JSONResponse({"pid": os.getpid()})


app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=2, access_log=False,
        graceful_timeout=5, log_level="warning")
"""


def _tables_owned_by(pid: int) -> list[str]:
    from altapi_ratelimit._naming import PREFIX, default_directory

    directory = default_directory()
    owned = []
    for name in os.listdir(directory):
        if name.startswith(PREFIX):
            path = os.path.join(directory, name)
            try:
                with open(path, "rb") as table:
                    table.seek(28)
                    owner = int.from_bytes(table.read(4), "little")
            except OSError:
                continue
            if owner == pid:
                owned.append(path)
    return owned


def test_the_server_removes_a_table_whose_only_worker_was_sigkilled(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(KILLED_WORKER_SCRIPT)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, str(script), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _get(url + "/ping")
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)  # polling a starting process; bounded by the deadline
        worker = _get(url + "/hit").json()["pid"]  # this worker alone opened the table
        assert len(_tables_owned_by(process.pid)) == 1
        os.kill(worker, signal.SIGKILL)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert _tables_owned_by(process.pid) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
