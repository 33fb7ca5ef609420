"""What the response cache stores, and its byte encoding for backends outside the process."""

from __future__ import annotations

import json
import struct
import time
from typing import Any

__all__ = ["CachedResponse", "VaryIndex", "dumps", "loads", "wall_clock"]

Headers = list[tuple[bytes, bytes]]


def wall_clock() -> float:
    """Seconds since the epoch; entries carry it so `Age` is right across processes."""
    return time.time()


class CachedResponse:
    """A response as stored: status, headers (without Age/X-Cache), body, when stored and
    the request headers its `Vary` names (lower case)."""

    __slots__ = ("body", "headers", "status", "stored_at", "vary")

    def __init__(
        self,
        status: int,
        headers: Headers,
        body: bytes,
        stored_at: float,
        vary: tuple[str, ...] = (),
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.stored_at = stored_at
        self.vary = vary

    @property
    def nbytes(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CachedResponse) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    def __repr__(self) -> str:
        return f"<CachedResponse {self.status} {len(self.body)} bytes>"


class VaryIndex:
    """Stored at a URL's key when its response has `Vary`: the request headers that pick
    the variant, whose values are appended to the key of each stored variant."""

    __slots__ = ("names",)

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    @property
    def nbytes(self) -> int:
        return sum(len(n) for n in self.names) + 32

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VaryIndex) and self.names == other.names


# The first byte says what follows.
_RESPONSE, _VARY, _BYTES, _JSON = b"R", b"V", b"B", b"J"
_LENGTH = struct.Struct(">I")


def dumps(value: Any) -> bytes:
    """Bytes for a CachedResponse, VaryIndex, bytes, or a JSON-serialisable value."""
    if isinstance(value, CachedResponse):
        meta = json.dumps(
            [
                value.status,
                [[k.decode("latin-1"), v.decode("latin-1")] for k, v in value.headers],
                value.stored_at,
                list(value.vary),
            ],
            separators=(",", ":"),
        ).encode()
        return _RESPONSE + _LENGTH.pack(len(meta)) + meta + value.body
    if isinstance(value, VaryIndex):
        return _VARY + json.dumps(list(value.names)).encode()
    if isinstance(value, bytes | bytearray):
        return _BYTES + bytes(value)
    return _JSON + json.dumps(value, separators=(",", ":")).encode()


def loads(data: bytes) -> Any:
    kind, rest = data[:1], data[1:]
    if kind == _RESPONSE:
        (length,) = _LENGTH.unpack_from(rest)
        start = _LENGTH.size
        status, headers, stored_at, vary = json.loads(rest[start : start + length])
        return CachedResponse(
            status,
            [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            rest[start + length :],
            stored_at,
            tuple(vary),
        )
    if kind == _VARY:
        return VaryIndex(tuple(json.loads(rest)))
    if kind == _BYTES:
        return rest
    if kind == _JSON:
        return json.loads(rest)
    raise ValueError(f"not a value written by altapi_cache.entry.dumps: {data[:16]!r}")
