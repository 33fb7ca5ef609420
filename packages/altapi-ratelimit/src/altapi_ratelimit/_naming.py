"""Where a limiter's table lives, so that every worker of one server finds the same file.

The namespace, first match wins:
1. `ALTAPI_RATELIMIT_NAMESPACE` (a documented setting: gunicorn, custom launchers);
2. `ALTAPI_SERVER_ID`, set by `app.run()` in the master before it forks its workers;
3. in a multiprocessing child (`uvicorn --workers N` spawns those): the parent's pid
   and its start time, so a later process reusing that pid gets another name;
4. otherwise this process's own pid and start time (a table private to one server).
"""

from __future__ import annotations

import fcntl
import hashlib
import multiprocessing
import os
import re
import struct
import tempfile

from altapi_core.server import SERVER_ID_ENV

__all__ = ["NAMESPACE_ENV", "PREFIX", "SERVER_ID_ENV", "default_directory", "resolve", "sweep"]

NAMESPACE_ENV = "ALTAPI_RATELIMIT_NAMESPACE"
PREFIX = "altapi-rl-"
_OWNER = struct.Struct("<I")  # the owner pid, at byte 28 of the header


def default_directory() -> str:
    return "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


def namespace() -> tuple[str, int]:
    """(namespace, owner pid) for this process; owner pid 0 means unknown."""
    explicit = os.environ.get(NAMESPACE_ENV)
    if explicit:
        return "n" + explicit, 0
    server = os.environ.get(SERVER_ID_ENV)
    if server:
        head = server.split("-", 1)[0]
        return "s" + server, int(head) if head.isdigit() else 0
    pid = os.getppid() if multiprocessing.parent_process() is not None else os.getpid()
    return f"p{pid}-{_start_time(pid)}", pid


def resolve(directory: str, name: str, explicit_namespace: str | None) -> tuple[str, int]:
    """(path of the table file, owner pid) for the limiter called `name`."""
    if explicit_namespace is not None:
        space, owner = "n" + explicit_namespace, 0
    else:
        space, owner = namespace()
    digest = hashlib.blake2b(f"{space}\0{name}".encode(), digest_size=10).hexdigest()
    slug = re.sub(r"[^A-Za-z0-9_.]+", "_", name)[-48:]
    return os.path.join(directory, f"{PREFIX}{digest}-{slug}"), owner


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(directory: str) -> list[str]:
    """Remove tables left by crashed servers: owner dead and nobody has the file open."""
    removed: list[str] = []
    try:
        names = [n for n in os.listdir(directory) if n.startswith(PREFIX)]
    except OSError:
        return removed
    for entry in names:
        path = os.path.join(directory, entry)
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            raw = os.pread(fd, 4, 28)
            owner = _OWNER.unpack(raw)[0] if len(raw) == 4 else 0
            if owner == 0 or _alive(owner):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # someone still uses it
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                os.unlink(path)
                removed.append(path)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed
