"""The 422 answer: `RequestValidationError` and FastAPI's error entries.

Each entry is `{"type", "loc", "msg", "input"}` (plus `"ctx"` where FastAPI has
one), with FastAPI's (pydantic's) exact `type` and `msg` strings, so tests
ported from FastAPI compare equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .exceptions import HTTPException

__all__ = ["Invalid", "RequestValidationError", "error", "expected_one_of"]

ErrorEntry = dict[str, Any]


class RequestValidationError(HTTPException):
    """Every error found in one request; answered with 422 `{"detail": [...]}`."""

    def __init__(self, errors: Sequence[ErrorEntry], body: Any = None) -> None:
        super().__init__(422, list(errors))
        self.body = body

    def errors(self) -> list[ErrorEntry]:
        return self.detail


class Invalid(Exception):
    """Raised by a converter: one error, its location filled in by the caller."""

    def __init__(self, type_: str, msg: str, input_: Any, ctx: dict[str, Any] | None = None):
        self.type = type_
        self.msg = msg
        self.input = input_
        self.ctx = ctx

    def entry(self, loc: Sequence[str | int]) -> ErrorEntry:
        return error(self.type, loc, self.msg, self.input, self.ctx)


def error(
    type_: str, loc: Sequence[str | int], msg: str, input_: Any, ctx: dict[str, Any] | None = None
) -> ErrorEntry:
    entry: ErrorEntry = {"type": type_, "loc": list(loc), "msg": msg, "input": input_}
    if ctx is not None:
        entry["ctx"] = ctx
    return entry


def missing(loc: Sequence[str | int], input_: Any = None) -> ErrorEntry:
    return error("missing", loc, "Field required", input_)


def expected_one_of(values: Sequence[Any]) -> str:
    """`'a', 'b' or 'c'`: how pydantic lists the allowed values."""
    shown = [repr(v) if isinstance(v, str) else str(v) for v in values]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


# Messages of a value of the wrong kind (from JSON, where no parsing is involved).
TYPE_ERRORS: dict[str, tuple[str, str]] = {
    "int": ("int_type", "Input should be a valid integer"),
    "float": ("float_type", "Input should be a valid number"),
    "str": ("string_type", "Input should be a valid string"),
    "bool": ("bool_type", "Input should be a valid boolean"),
    "array": ("list_type", "Input should be a valid list"),
    "object": ("dict_type", "Input should be a valid dictionary"),
    "null": ("none_required", "Input should be None"),
}

# Messages of a string that does not parse as the type.
PARSE_ERRORS: dict[str, tuple[str, str]] = {
    "int": ("int_parsing", "Input should be a valid integer, unable to parse string as an integer"),
    "float": (
        "float_parsing",
        "Input should be a valid number, unable to parse string as a number",
    ),
    "bool": ("bool_parsing", "Input should be a valid boolean, unable to interpret input"),
    "decimal": ("decimal_parsing", "Input should be a valid decimal"),
    "uuid": ("uuid_parsing", "Input should be a valid UUID"),
    "datetime": ("datetime_from_date_parsing", "Input should be a valid datetime or date"),
    "date": ("date_from_datetime_parsing", "Input should be a valid date or datetime"),
    "time": ("time_parsing", "Input should be in a valid time format"),
}


def bound_error(op: str, limit: Any, value: Any) -> Invalid:
    words = {
        "gt": ("greater_than", "greater than"),
        "ge": ("greater_than_equal", "greater than or equal to"),
        "lt": ("less_than", "less than"),
        "le": ("less_than_equal", "less than or equal to"),
    }
    type_, text = words[op]
    return Invalid(type_, f"Input should be {text} {limit}", value, {op: limit})


def length_error(kind: str, op: str, limit: int, value: Any) -> Invalid:
    if kind == "str":
        plural = "character" if limit == 1 else "characters"
        if op == "min_length":
            return Invalid(
                "string_too_short",
                f"String should have at least {limit} {plural}",
                value,
                {op: limit},
            )
        return Invalid(
            "string_too_long", f"String should have at most {limit} {plural}", value, {op: limit}
        )
    plural = "item" if limit == 1 else "items"
    size = len(value)
    ctx = {"field_type": "List", op: limit, "actual_length": size}
    if op == "min_length":
        msg = f"List should have at least {limit} {plural} after validation, not {size}"
        return Invalid("too_short", msg, value, ctx)
    msg = f"List should have at most {limit} {plural} after validation, not {size}"
    return Invalid("too_long", msg, value, ctx)
