"""Parsing a route path such as `/users/{id:int}/files/{rest:path}` into segments."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from .converters import CONVERTERS, Converter
from .errors import NoMatchFound

__all__ = ["Compound", "Param", "Pattern"]

_BRACES = re.compile(r"{([^{}]*)}")


class Param:
    """A whole segment that is one parameter: `{id:int}`."""

    __slots__ = ("converter", "key", "name")

    def __init__(self, name: str, converter: Converter) -> None:
        self.name = name
        self.converter = converter
        self.key = "{:" + converter.name + "}"


class Compound:
    """A segment mixing text and parameters: `{name}.{ext}`, `v{major:int}`."""

    __slots__ = ("converters", "key", "literals", "names", "regex")

    def __init__(self, text: str, params: list[tuple[str, Converter]]) -> None:
        self.names = [name for name, _ in params]
        self.converters = [converter for _, converter in params]
        self.key = _BRACES.sub(lambda m: "{:" + _param(m.group(1), text)[1].name + "}", text)
        parts: list[str] = []
        last = 0
        for m, (_, converter) in zip(_BRACES.finditer(text), params, strict=True):
            parts.append(re.escape(text[last : m.start()]))
            inner = converter.regex.pattern if converter.regex is not None else "[^/]+?"
            parts.append(f"({inner})")
            last = m.end()
        parts.append(re.escape(text[last:]))
        self.regex = re.compile("".join(parts))
        self.literals = _BRACES.split(text)[::2]  # the text around the parameters

    def build(self, params: dict[str, Any]) -> str:
        out = [self.literals[0]]
        for name, converter, literal in zip(
            self.names, self.converters, self.literals[1:], strict=True
        ):
            out.append(quote(converter.to_url(params[name]), safe=""))
            out.append(literal)
        return "".join(out)

    def convert(self, segment: str) -> list[Any]:
        """The converted values, or ValueError when the segment does not fit."""
        m = self.regex.fullmatch(segment)
        if m is None:
            raise ValueError(segment)
        return [c.convert(v) for c, v in zip(self.converters, m.groups(), strict=True)]


def _param(inner: str, path: str) -> tuple[str, Converter]:
    name, _, kind = inner.partition(":")
    name = name.strip()
    kind = kind.strip() or "str"
    if not name.isidentifier():
        raise ValueError(f"route {path!r}: parameter name {name!r} is not an identifier")
    converter = CONVERTERS.get(kind)
    if converter is None:
        known = ", ".join(sorted(CONVERTERS))
        raise ValueError(f"route {path!r}: unknown converter {kind!r} (known: {known})")
    return name, converter


class Pattern:
    """A parsed route path: its segments, parameter names and how to build it back."""

    __slots__ = ("param_names", "path", "segments")

    def __init__(self, path: str) -> None:
        if not path.startswith("/"):
            raise ValueError(f"route path {path!r} must start with '/'")
        self.path = path
        self.segments: list[str | Param | Compound] = []
        self.param_names: list[str] = []
        texts = path[1:].split("/")
        for i, text in enumerate(texts):
            if "{" not in text and "}" not in text:
                self.segments.append(text)
                continue
            if _BRACES.sub("", text).count("{") or _BRACES.sub("", text).count("}"):
                raise ValueError(f"route {path!r}: unbalanced braces in segment {text!r}")
            found = [_param(m.group(1), path) for m in _BRACES.finditer(text)]
            self._add_names([name for name, _ in found])
            whole = _BRACES.fullmatch(text) is not None
            if whole:
                name, converter = found[0]
                if converter.greedy and i != len(texts) - 1:
                    raise ValueError(f"route {path!r}: a 'path' parameter must be the last segment")
                self.segments.append(Param(name, converter))
            else:
                if any(c.greedy for _, c in found):
                    raise ValueError(f"route {path!r}: a 'path' parameter must be a whole segment")
                self.segments.append(Compound(text, found))

    def _add_names(self, names: list[str]) -> None:
        for name in names:
            if name in self.param_names:
                raise ValueError(f"route {self.path!r}: parameter {name!r} appears twice")
            self.param_names.append(name)

    def build(self, name: str, params: dict[str, Any]) -> str:
        """The path with `params` converted to text and percent-encoded."""
        missing = [p for p in self.param_names if p not in params]
        extra = [p for p in params if p not in self.param_names]
        if missing or extra:
            detail = []
            if missing:
                detail.append(f"missing {', '.join(missing)}")
            if extra:
                detail.append(f"unexpected {', '.join(extra)}")
            raise NoMatchFound(f"url_for({name!r}) for {self.path!r}: {'; '.join(detail)}")
        out: list[str] = []
        for segment in self.segments:
            if isinstance(segment, str):
                out.append(segment)
            elif isinstance(segment, Param):
                text = segment.converter.to_url(params[segment.name])
                out.append(quote(text, safe="/" if segment.converter.greedy else ""))
            else:
                out.append(segment.build(params))
        return "/" + "/".join(out)
