"""Path parameter converters: how one path segment becomes a Python value and back.

A converter's `convert(segment)` returns the value, or raises `ValueError` when the
segment does not fit (the route then does not match). `to_url(value)` is the reverse,
used by `url_for`; it raises `ValueError` for a value the converter would not accept.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["CONVERTERS", "Converter", "register_converter"]


class Converter:
    """Converts one path segment (or, for `path`, the rest of the path)."""

    #: Lower ranks are tried first among parameters at the same depth.
    rank = 1
    #: True for a converter that swallows the rest of the path, slashes included.
    greedy = False

    def __init__(
        self,
        name: str,
        matcher: str | Callable[[str], bool] | None = None,
        to_python: Callable[[str], Any] = str,
        to_url: Callable[[Any], str] = str,
    ) -> None:
        self.name = name
        if isinstance(matcher, str):
            self.regex: re.Pattern[str] | None = re.compile(matcher)
            fullmatch = self.regex.fullmatch
            self._accepts: Callable[[str], bool] = lambda s: fullmatch(s) is not None
        else:
            self.regex = None
            self._accepts = matcher or bool
        self._to_python = to_python
        self._to_url = to_url

    def convert(self, segment: str) -> Any:
        if not self._accepts(segment):
            raise ValueError(segment)
        return self._to_python(segment)

    def to_url(self, value: Any) -> str:
        text = self._to_url(value)
        if not isinstance(text, str) or not self._accepts(text):
            raise ValueError(f"{value!r} is not a valid {self.name!r} path parameter")
        return text

    def __repr__(self) -> str:
        return f"<Converter {self.name}>"


class _Str(Converter):
    rank = 2

    def __init__(self) -> None:
        super().__init__("str")

    def convert(self, segment: str) -> str:
        if not segment:
            raise ValueError(segment)
        return segment

    def to_url(self, value: Any) -> str:
        text = str(value)
        if not text:
            raise ValueError(f"{value!r} is not a valid 'str' path parameter (empty)")
        return text  # a '/' in it is percent-encoded by url_for


class _Int(Converter):
    def __init__(self) -> None:
        super().__init__("int")

    def convert(self, segment: str) -> int:
        # PERF: isdigit() alone accepts "²" and other Unicode digits; isascii() keeps it exact.
        if segment.isascii() and segment.isdigit():
            return int(segment)
        raise ValueError(segment)

    def to_url(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{value!r} is not a valid 'int' path parameter (non-negative int)")
        return str(value)


_FLOAT = re.compile(r"[0-9]+(\.[0-9]+)?")


class _Float(Converter):
    def __init__(self) -> None:
        super().__init__("float", _FLOAT.pattern)

    def convert(self, segment: str) -> float:
        if _FLOAT.fullmatch(segment) is None:
            raise ValueError(segment)
        return float(segment)

    def to_url(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{value!r} is not a valid 'float' path parameter")
        if value < 0 or not math.isfinite(value):
            raise ValueError(f"{value!r} is not a valid 'float' path parameter (finite, >= 0)")
        text = repr(float(value))
        if "e" in text:
            text = f"{value:f}"
        return text


_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


class _UUID(Converter):
    def __init__(self) -> None:
        super().__init__("uuid", _UUID_RE.pattern)

    def convert(self, segment: str) -> uuid.UUID:
        if len(segment) != 36 or _UUID_RE.fullmatch(segment) is None:
            raise ValueError(segment)
        return uuid.UUID(segment)

    def to_url(self, value: Any) -> str:
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, str) and _UUID_RE.fullmatch(value):
            return value.lower()
        raise ValueError(f"{value!r} is not a valid 'uuid' path parameter")


class _Path(Converter):
    rank = 3
    greedy = True

    def __init__(self) -> None:
        super().__init__("path")

    def convert(self, segment: str) -> str:
        return segment

    def to_url(self, value: Any) -> str:
        return str(value)


CONVERTERS: dict[str, Converter] = {c.name: c for c in (_Str(), _Int(), _Float(), _UUID(), _Path())}


def register_converter(
    name: str,
    matcher: str | Callable[[str], bool],
    to_python: Callable[[str], Any] = str,
    to_url: Callable[[Any], str] = str,
) -> Converter:
    """Make `{param:name}` available in route paths.

    `matcher` is a regular expression a whole segment must match, or a predicate
    on the segment. Registered converters rank with `int`/`float`/`uuid`: after
    static segments, before `str` and `path`.
    """
    if not name.isidentifier():
        raise ValueError(f"converter name {name!r} is not an identifier")
    if name in CONVERTERS:
        raise ValueError(f"a converter named {name!r} is already registered")
    converter = Converter(name, matcher, to_python, to_url)
    CONVERTERS[name] = converter
    return converter
