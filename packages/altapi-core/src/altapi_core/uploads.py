"""Parsed form data: `FormData` (a multi-dict) and the `UploadFile`s it holds."""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import IO

from anyio.to_thread import run_sync

from .datastructures import Headers, ImmutableMultiDict

__all__ = ["FormData", "UploadFile"]


class UploadFile:
    """An uploaded file: `filename`, `content_type`, `size`, and async file methods.

    The bytes live in a spooled temporary file (memory first, disk when large);
    once on disk, reads and writes run in the thread pool.
    """

    spool_max_size = 1024 * 1024

    def __init__(
        self,
        file: IO[bytes] | None = None,
        *,
        filename: str | None = None,
        headers: Headers | None = None,
        size: int = 0,
    ) -> None:
        self.file: IO[bytes] = (
            file if file is not None else SpooledTemporaryFile(max_size=self.spool_max_size)  # noqa: SIM115
        )
        self.filename = filename
        self.headers = headers if headers is not None else Headers()
        self.size = size

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def _in_memory(self) -> bool:
        return not getattr(self.file, "_rolled", True)

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        if self._in_memory:
            self.file.write(data)
        else:
            await run_sync(self.file.write, data)

    async def read(self, size: int = -1) -> bytes:
        if self._in_memory:
            return self.file.read(size)
        return await run_sync(self.file.read, size)

    async def seek(self, offset: int) -> None:
        if self._in_memory:
            self.file.seek(offset)
        else:
            await run_sync(self.file.seek, offset)

    async def close(self) -> None:
        if self._in_memory:
            self.file.close()
        else:
            await run_sync(self.file.close)

    def __repr__(self) -> str:
        return f"UploadFile(filename={self.filename!r}, size={self.size!r}, content_type={self.content_type!r})"


class FormData(ImmutableMultiDict):
    """Form fields (str) and files (UploadFile), every value of a repeated name kept."""

    __slots__ = ()

    async def close(self) -> None:
        for _, value in self._list:
            if isinstance(value, UploadFile):
                await value.close()
