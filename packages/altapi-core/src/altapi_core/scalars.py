"""Converters from one string (a query value, a header, a cookie, a form field) to a scalar.

Built once per parameter: `scalar_converter(int, {"ge": 1})` returns a function
`str -> int` that raises `Invalid` with FastAPI's error type and message.
Plain Python conversions, no model built: for one value they are several times
faster than validating through a schema.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import re
import typing
import uuid
from collections.abc import Callable
from typing import Any

from .validation import PARSE_ERRORS, Invalid, bound_error, expected_one_of, length_error

__all__ = ["SCALARS", "is_scalar", "scalar_converter"]

Converter = Callable[[str], Any]

_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _parser(kind: str, parse: Callable[[str], Any]) -> Converter:
    type_, msg = PARSE_ERRORS[kind]

    def convert(raw: str) -> Any:
        try:
            return parse(raw)
        except (ValueError, ArithmeticError):
            raise Invalid(type_, msg, raw) from None

    return convert


_WHOLE = re.compile(r"\s*[+-]?\d+\.0*\s*")


def _to_int(raw: str) -> int:
    """`int()`, as pydantic reads a string: ASCII digits only, "3.0" accepted."""
    if not raw.isascii():
        raise ValueError(raw)
    try:
        return int(raw)
    except ValueError:
        if _WHOLE.fullmatch(raw):
            return int(float(raw))
        raise


def _to_float(raw: str) -> float:
    if not raw.isascii():
        raise ValueError(raw)
    return float(raw)


def _to_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(raw)


def _to_decimal(raw: str) -> decimal.Decimal:
    value = decimal.Decimal(raw.strip())
    if not value.is_finite():
        raise ValueError(raw)
    return value


def _to_datetime(raw: str) -> datetime.datetime:
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(text)


def _to_date(raw: str) -> datetime.date:
    text = raw.strip()
    if len(text) > 10:  # pydantic accepts a datetime at midnight
        moment = _to_datetime(text)
        if moment.time() != datetime.time(0):
            raise ValueError(raw)
        return moment.date()
    return datetime.date.fromisoformat(text)


def _to_time(raw: str) -> datetime.time:
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.time.fromisoformat(text)


SCALARS: dict[Any, Converter] = {
    str: str,
    int: _parser("int", _to_int),
    float: _parser("float", _to_float),
    bool: _parser("bool", _to_bool),
    decimal.Decimal: _parser("decimal", _to_decimal),
    uuid.UUID: _parser("uuid", uuid.UUID),
    datetime.datetime: _parser("datetime", _to_datetime),
    datetime.date: _parser("date", _to_date),
    datetime.time: _parser("time", _to_time),
}


def is_scalar(annotation: Any) -> bool:
    if annotation in SCALARS or typing.get_origin(annotation) is typing.Literal:
        return True
    return isinstance(annotation, type) and issubclass(annotation, enum.Enum)


def _choice(choices: list[Any], type_: str) -> Converter:
    """An Enum's or Literal's values, each matched by its string form."""
    by_text = {str(c.value if isinstance(c, enum.Enum) else c): c for c in choices}
    shown = expected_one_of([c.value if isinstance(c, enum.Enum) else c for c in choices])

    def convert(raw: str) -> Any:
        try:
            return by_text[raw]
        except KeyError:
            raise Invalid(type_, f"Input should be {shown}", raw, {"expected": shown}) from None

    return convert


def _base_converter(annotation: Any) -> Converter:
    if annotation in SCALARS:
        return SCALARS[annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return _choice(list(typing.get_args(annotation)), "literal_error")
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choice(list(annotation), "enum")
    raise TypeError(f"{annotation!r} cannot be read from a string")


def scalar_converter(annotation: Any, constraints: dict[str, Any]) -> Converter:
    """`str -> value` for `annotation`, checking `constraints` (gt ge lt le min_length ...)."""
    base = _base_converter(annotation)
    if not constraints:
        return base
    checks = _checks(constraints, "str" if annotation is str else "number")

    def convert(raw: str) -> Any:
        value = base(raw)
        try:
            for check in checks:
                check(value)
        except Invalid as exc:
            exc.input = raw  # FastAPI shows the value as it was sent
            raise
        return value

    return convert


def _checks(constraints: dict[str, Any], kind: str) -> list[Callable[[Any], None]]:
    checks: list[Callable[[Any], None]] = []
    for op, limit in constraints.items():
        checks.append(_check(op, limit, kind))
    return checks


def _check(op: str, limit: Any, kind: str) -> Callable[[Any], None]:
    if op == "pattern":
        compiled = re.compile(limit)

        def matches(value: Any) -> None:
            if not compiled.search(value):
                ctx = {"pattern": limit}
                msg = f"String should match pattern '{limit}'"
                raise Invalid("string_pattern_mismatch", msg, value, ctx)

        return matches
    if op in ("min_length", "max_length"):
        shortest = op == "min_length"

        def sized(value: Any) -> None:
            if (len(value) < limit) if shortest else (len(value) > limit):
                raise length_error(kind, op, limit, value)

        return sized
    if op == "multiple_of":

        def multiple(value: Any) -> None:
            if value % limit:
                msg = f"Input should be a multiple of {limit}"
                raise Invalid("multiple_of", msg, value, {"multiple_of": limit})

        return multiple
    compare: Callable[[Any], bool] = {
        "gt": lambda v: v > limit,
        "ge": lambda v: v >= limit,
        "lt": lambda v: v < limit,
        "le": lambda v: v <= limit,
    }[op]

    def bounded(value: Any) -> None:
        if not compare(value):
            raise bound_error(op, limit, value)

    return bounded


def list_checks(constraints: dict[str, Any]) -> list[Callable[[Any], None]]:
    """The length checks of a `list[...]` parameter (its items are checked one by one)."""
    return [_check(op, limit, "list") for op, limit in constraints.items()]
