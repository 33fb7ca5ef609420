"""`app.run()`: serve with uvicorn, in one process or in N worker processes
(`server="granian"` hands over to server_granian.py instead).

With `workers > 1` this process becomes a supervisor: it binds the socket once,
forks the workers (so the app object itself is shared, no import string needed),
restarts a worker that dies, and on SIGINT/SIGTERM asks every worker to shut
down gracefully, killing any still running after `graceful_timeout` seconds.
See docs/deployment.md.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import time
import uuid
from multiprocessing.connection import wait
from typing import Any

__all__ = ["SERVERS", "SERVER_ID_ENV", "run"]

logger = logging.getLogger("altapi.server")

SERVER_ID_ENV = "ALTAPI_SERVER_ID"
SERVERS = ("uvicorn", "granian")
_RESTART_WINDOW = 10.0  # seconds
_MAX_RESTARTS_IN_WINDOW = 20


def run(
    app: Any,
    host: str = "0.0.0.0",
    port: int = 8000,
    workers: int = 1,
    access_log: bool = True,
    graceful_timeout: float = 30.0,
    server: str = "uvicorn",
    **uvicorn_options: Any,
) -> None:
    """Serve `app` on host:port with uvicorn (or `server="granian"`); `workers`
    processes share the socket. Extra keyword arguments go to the server's config."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if server not in SERVERS:
        raise ValueError(f"server must be one of {', '.join(SERVERS)}, not {server!r}")
    # One id for this server, seen by all its workers (rate limits use it to share a table).
    os.environ.setdefault(SERVER_ID_ENV, f"{os.getpid()}-{uuid.uuid4().hex[:12]}")
    if server == "granian":
        from .server_granian import serve

        serve(app, host, port, workers, access_log, graceful_timeout, **uvicorn_options)
        return
    import uvicorn

    uvicorn_options.setdefault("timeout_graceful_shutdown", graceful_timeout)
    max_size = getattr(app, "websocket_max_size", None)
    if max_size is not None:
        uvicorn_options.setdefault("ws_max_size", max_size)
    config = uvicorn.Config(app, host=host, port=port, access_log=access_log, **uvicorn_options)
    if workers == 1:
        uvicorn.Server(config).run()
        return
    sock = config.bind_socket()
    try:
        _Supervisor(config, sock, workers, graceful_timeout).run()
    finally:
        sock.close()


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this worker if the supervisor dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _worker_main(config: Any, sock: socket.socket, parent: int) -> None:
    import uvicorn

    _die_with_parent()
    if os.getppid() != parent:  # the supervisor died before prctl took effect
        return
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    uvicorn.Server(config).run(sockets=[sock])


class _Supervisor:
    def __init__(self, config: Any, sock: socket.socket, workers: int, graceful_timeout: float):
        self.config = config
        self.sock = sock
        self.count = workers
        self.graceful_timeout = graceful_timeout
        self.context = multiprocessing.get_context("fork")
        self.processes: list[Any] = []
        self.restarts: list[float] = []
        self.stopping = False
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_write, False)

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.stopping = True
        try:
            os.write(self.wake_write, b"x")
        except OSError:
            pass

    def _spawn(self) -> Any:
        process = self.context.Process(
            target=_worker_main, args=(self.config, self.sock, os.getpid()), daemon=False
        )
        process.start()
        logger.info("started worker %s", process.pid)
        return process

    def run(self) -> None:
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            self.processes = [self._spawn() for _ in range(self.count)]
            self._supervise()
        finally:
            self._shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            os.close(self.wake_read)
            os.close(self.wake_write)

    def _supervise(self) -> None:
        while not self.stopping:
            sentinels = {p.sentinel: p for p in self.processes}
            ready = wait([*sentinels, self.wake_read])
            if self.stopping:
                return
            for handle in ready:
                dead = sentinels.get(handle)
                if dead is None:
                    continue
                dead.join()
                logger.warning(
                    "worker %s exited with code %s; restarting it", dead.pid, dead.exitcode
                )
                if self._too_many_restarts():
                    logger.error("workers keep dying; shutting the server down")
                    return
                self.processes[self.processes.index(dead)] = self._spawn()

    def _too_many_restarts(self) -> bool:
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < _RESTART_WINDOW] + [now]
        return len(self.restarts) > _MAX_RESTARTS_IN_WINDOW

    def _shutdown(self) -> None:
        for process in self.processes:
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.graceful_timeout + 5
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in self.processes:
            if process.is_alive():
                logger.warning("worker %s did not stop in time; killing it", process.pid)
                process.kill()
                process.join()
