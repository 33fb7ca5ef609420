"""`StaticFiles`: serve a directory, refusing every path that would leave it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from anyio.to_thread import run_sync

from .fileresponse import FileResponse
from .responses import PlainTextResponse, RedirectResponse, Response
from .types import Receive, Scope, Send
from .websocket_dispatch import route_path

__all__ = ["StaticFiles"]


class StaticFiles:
    """An ASGI app serving the files under `directory` (GET and HEAD).

    Anything that could reach outside the directory is a 404: `..` segments (also
    percent-encoded), encoded slashes, backslashes, NUL bytes, absolute paths and
    symlinks whose target lies outside (unless `follow_symlink=True`). With
    `html=True`, a directory serves its `index.html` and a missing file `404.html`.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        html: bool = False,
        check_dir: bool = True,
        follow_symlink: bool = False,
    ) -> None:
        self.directory = Path(directory)
        self.root = os.path.realpath(self.directory)
        self.html = html
        self.follow_symlink = follow_symlink
        if check_dir and not os.path.isdir(self.root):
            raise RuntimeError(f"StaticFiles directory {os.fspath(directory)!r} does not exist")

    def __repr__(self) -> str:
        return f"StaticFiles(directory={os.fspath(self.directory)!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise RuntimeError("StaticFiles serves HTTP only")
        response = await self.response(scope)
        await response(scope, receive, send)

    async def response(self, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("Method Not Allowed", 405, headers={"Allow": "GET, HEAD"})
        relative = route_path(scope)
        parts = self._safe_parts(relative, scope.get("raw_path"))
        if parts is None:
            return _not_found()
        found = await run_sync(self._lookup, parts)
        if found is None:
            if self.html:
                missing = await run_sync(self._lookup, ["404.html"])
                if missing is not None:
                    return FileResponse(missing[0], stat_result=missing[1], status_code=404)
            return _not_found()
        full, st = found
        if stat.S_ISDIR(st.st_mode):
            if not self.html:
                return _not_found()
            if not relative.endswith("/"):
                url = scope.get("root_path", "") + relative + "/"
                return RedirectResponse(url, status_code=307)
            index = await run_sync(self._lookup, [*parts, "index.html"])
            if index is None:
                return _not_found()
            full, st = index
        return FileResponse(full, stat_result=st, content_disposition_type="inline")

    @staticmethod
    def _safe_parts(relative: str, raw_path: bytes | None) -> list[str] | None:
        """The path's segments, or None when any of them could escape the directory."""
        if raw_path is not None and b"%2f" in raw_path.lower().replace(b"%252f", b""):
            return None  # an encoded slash would join two segments into one path
        parts = [p for p in relative.split("/") if p]
        for part in parts:
            if part in (".", "..") or "\\" in part or "\x00" in part:
                return None
        return parts

    def _lookup(self, parts: list[str]) -> tuple[str, os.stat_result] | None:
        joined = os.path.join(self.root, *parts)
        full = joined if self.follow_symlink else os.path.realpath(joined)
        if full != self.root and not full.startswith(self.root + os.sep):
            return None
        try:
            st = os.stat(full)
        except (FileNotFoundError, NotADirectoryError, PermissionError, OSError):
            return None
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            return None
        return full, st


def _not_found() -> Response:
    return PlainTextResponse("Not Found", 404)
