"""Multi-dicts, headers, URL, client address and state: the values requests carry."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

__all__ = [
    "URL",
    "Address",
    "Headers",
    "ImmutableMultiDict",
    "MutableHeaders",
    "QueryParams",
    "State",
]


class Address(NamedTuple):
    host: str
    port: int


class ImmutableMultiDict(Mapping[str, Any]):
    """A read-only mapping that keeps every value of a repeated key.

    `d[key]` and `d.get(key)` give the last value (like Starlette);
    `d.getlist(key)` gives them all, in order.
    """

    __slots__ = ("_dict", "_list")

    def __init__(self, items: Iterable[tuple[str, Any]] | Mapping[str, Any] = ()) -> None:
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        self._list = pairs
        self._dict = dict(pairs)

    def get(self, key: str, default: Any = None) -> Any:
        # PERF: Mapping.get goes through __getitem__ and a KeyError (~3x slower on a miss).
        return self._dict.get(key, default)

    def getlist(self, key: str) -> list[Any]:
        return [value for name, value in self._list if name == key]

    def multi_items(self) -> list[tuple[str, Any]]:
        return list(self._list)

    def __getitem__(self, key: str) -> Any:
        return self._dict[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ImmutableMultiDict):
            return sorted(self._list) == sorted(other._list)
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"


def parse_query(query: str) -> list[tuple[str, str]]:
    """`parse_qsl(query, keep_blank_values=True)`, split by hand when nothing is escaped."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    # PERF: a plain query string (the usual case) needs no unquoting: 0.6 -> 0.2 µs for two
    # pairs; test_datastructures checks it against parse_qsl.
    pairs = []
    for chunk in query.split("&"):
        if chunk:
            name, _, value = chunk.partition("=")
            pairs.append((name, value))
    return pairs


class QueryParams(ImmutableMultiDict):
    """The query string as a multi-dict; blank values are kept."""

    __slots__ = ()

    def __init__(
        self, query: str | bytes | Iterable[tuple[str, Any]] | Mapping[str, Any] = ""
    ) -> None:
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        if isinstance(query, str):
            super().__init__(parse_query(query))
        else:
            super().__init__(query)

    def __str__(self) -> str:
        return urlencode(self._list)


def _header_value(value: str) -> str:
    if "\r" in value or "\n" in value or "\0" in value:
        raise ValueError(f"header value may not contain CR, LF or NUL: {value!r}")
    return value


_BAD_NAME = re.compile(r"[ \t\r\n:\0]")


def _header_name(name: str) -> str:
    if not name or _BAD_NAME.search(name):
        raise ValueError(f"invalid header name: {name!r}")
    return name


@functools.lru_cache(maxsize=1024)
def _encoded_name(name: str) -> bytes:
    """A header name checked, lower-cased and encoded (cached: names are few)."""
    return _header_name(name).lower().encode("latin-1")


_ABSENT: Any = object()


def _wire_name(key: str) -> bytes | None:
    """A header name as ASGI gives it: latin-1 bytes, ASCII letters in lower case
    (str.lower() would also change "À"); None for a name no header can have."""
    try:
        return key.encode("latin-1").lower()
    except UnicodeEncodeError:
        return None


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only view over ASGI header pairs (`list[tuple[bytes, bytes]]`)."""

    __slots__ = ("_raw",)

    def __init__(
        self,
        headers: Mapping[str, str] | None = None,
        *,
        raw: list[tuple[bytes, bytes]] | None = None,
        scope: Mapping[str, Any] | None = None,
    ) -> None:
        if raw is not None:
            self._raw = raw
        elif scope is not None:
            self._raw = list(scope["headers"])
        elif headers:
            self._raw = [
                (_header_name(k).lower().encode("latin-1"), _header_value(v).encode("latin-1"))
                for k, v in headers.items()
            ]
        else:
            self._raw = []

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        return self._raw

    def getlist(self, key: str) -> list[str]:
        name = _wire_name(key)
        return [v.decode("latin-1") for k, v in self._raw if k == name]

    def __getitem__(self, key: str) -> str:
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        # PERF: Mapping.get would go through __getitem__ and, when absent, a KeyError.
        name = _wire_name(key)
        for k, v in self._raw:
            if k == name:
                return v.decode("latin-1")
        return default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        name = _wire_name(key)
        return any(k == name for k, _ in self._raw)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for k, _ in self._raw:
            seen.setdefault(k.decode("latin-1"), None)
        return iter(seen)

    def __len__(self) -> int:
        return len({k for k, _ in self._raw})

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        """Every pair, repeated names included (Set-Cookie needs that)."""
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self._raw]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return sorted(self._raw) == sorted(other._raw)
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.items()!r})"


class MutableHeaders(Headers):
    """Headers of a response: setting a value replaces every pair of that name."""

    __slots__ = ()

    def __setitem__(self, key: str, value: str) -> None:
        name = _encoded_name(key)
        encoded = _header_value(value).encode("latin-1")
        raw = self._raw
        for k, _ in raw:
            if k == name:
                raw[:] = [(k, v) for k, v in raw if k != name]
                break
        raw.append((name, encoded))

    def __delitem__(self, key: str) -> None:
        name = key.lower().encode("latin-1")
        if not any(k == name for k, _ in self._raw):
            raise KeyError(key)
        self._raw[:] = [(k, v) for k, v in self._raw if k != name]

    def setdefault(self, key: str, value: str) -> str:
        if key in self:
            return self[key]
        self.append(key, value)
        return value

    def append(self, key: str, value: str) -> None:
        """Add a pair, keeping existing pairs of the same name."""
        self._raw.append(
            (_header_name(key).lower().encode("latin-1"), _header_value(value).encode("latin-1"))
        )

    def update(self, other: Mapping[str, str]) -> None:
        pairs = [(_encoded_name(k), _header_value(v).encode("latin-1")) for k, v in other.items()]
        names = {name for name, _ in pairs}
        raw = self._raw
        for k, _ in raw:
            if k in names:  # replace: drop the old pairs of these names (rare)
                raw[:] = [(k, v) for k, v in raw if k not in names]
                break
        raw.extend(pairs)

    def add_vary_header(self, value: str) -> None:
        existing = self.get("vary")
        if existing:
            names = [v.strip().lower() for v in existing.split(",")]
            if value.lower() in names:
                return
            value = f"{existing}, {value}"
        self["vary"] = value


class URL(str):
    """A URL string with its parts as attributes (`url.path`, `url.query`, ...)."""

    __slots__ = ("_parts",)

    _parts: SplitResult

    @classmethod
    def from_scope(cls, scope: Mapping[str, Any]) -> URL:
        scheme = scope.get("scheme", "http")
        path = scope.get("root_path", "") + scope["path"]
        query = scope.get("query_string", b"")
        host = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
                break
        if host is None:
            server = scope.get("server")
            if server:
                host_name, port = server
                default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(scheme)
                host = host_name if port == default else f"{host_name}:{port}"
            else:
                host = ""
        url = f"{scheme}://{host}{path}"
        if query:
            url += "?" + query.decode("latin-1")
        return cls(url)

    def _split(self) -> SplitResult:
        try:
            return self._parts
        except AttributeError:
            self._parts = urlsplit(self)
            return self._parts

    @property
    def scheme(self) -> str:
        return self._split().scheme

    @property
    def netloc(self) -> str:
        return self._split().netloc

    @property
    def hostname(self) -> str | None:
        return self._split().hostname

    @property
    def port(self) -> int | None:
        return self._split().port

    @property
    def path(self) -> str:
        return self._split().path

    @property
    def query(self) -> str:
        return self._split().query

    @property
    def fragment(self) -> str:
        return self._split().fragment

    @property
    def is_secure(self) -> bool:
        return self.scheme in ("https", "wss")

    def replace(self, *args: Any, **parts: Any) -> URL:
        """`url.replace(path="/x")` swaps URL parts; `url.replace("a", "b")` is str.replace."""
        if args:
            return URL(str.replace(self, *args))
        return URL(self._split()._replace(**parts).geturl())

    def include_query_params(self, **params: Any) -> URL:
        query = dict(parse_qsl(self.query, keep_blank_values=True))
        query.update({k: str(v) for k, v in params.items()})
        return self.replace(query=urlencode(query))


class State:
    """An attribute bag: `request.state.user = ...` in middleware, read in the handler."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        object.__setattr__(self, "_state", {} if state is None else state)

    def __setattr__(self, key: str, value: Any) -> None:
        self._state[key] = value

    def __getattr__(self, key: str) -> Any:
        try:
            return self._state[key]
        except KeyError:
            raise AttributeError(f"'State' object has no attribute '{key}'") from None

    def __delattr__(self, key: str) -> None:
        try:
            del self._state[key]
        except KeyError:
            raise AttributeError(key) from None

    def __contains__(self, key: str) -> bool:
        return key in self._state

    def __repr__(self) -> str:
        return f"State({self._state!r})"
