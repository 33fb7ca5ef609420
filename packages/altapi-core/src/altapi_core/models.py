"""Models a body is decoded into, and the errors of a value that does not fit one.

msgspec decodes and validates in one pass (a `msgspec.Struct`, a dataclass, a
`TypedDict`, containers of them); it stops at the first error, so when one is
found `collect_errors` walks the value field by field to list every error with
its exact location, the way FastAPI (pydantic) does. Pydantic models are
validated by pydantic when it is installed.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
import typing
from collections.abc import Sequence
from typing import Any

import msgspec

from .validation import PARSE_ERRORS, TYPE_ERRORS, ErrorEntry, error, expected_one_of, missing

__all__ = [
    "INVALID",
    "collect_errors",
    "holds_pydantic",
    "is_model",
    "is_pydantic",
    "model_fields",
    "validate",
]

Loc = list[str | int]


def is_pydantic(annotation: Any) -> bool:
    pydantic = sys.modules.get("pydantic")  # never imported here: only if the user did
    return (
        pydantic is not None
        and isinstance(annotation, type)
        and issubclass(annotation, pydantic.BaseModel)
    )


def holds_pydantic(annotation: Any) -> bool:
    """A pydantic model, or a type with one inside (`list[User]`): pydantic validates it."""
    return is_pydantic(annotation) or any(holds_pydantic(a) for a in typing.get_args(annotation))


@functools.lru_cache(maxsize=256)
def _adapter(annotation: Any) -> Any:
    return sys.modules["pydantic"].TypeAdapter(annotation)


def is_model(annotation: Any) -> bool:
    """A class whose instances are read from a JSON object."""
    if not isinstance(annotation, type):
        return False
    return (
        issubclass(annotation, msgspec.Struct)
        or dataclasses.is_dataclass(annotation)
        or typing.is_typeddict(annotation)
        or is_pydantic(annotation)
    )


def json_readable(annotation: Any) -> bool:
    """True when msgspec can decode `annotation` from JSON by itself (no custom class inside)."""
    try:
        info = msgspec.inspect.type_info(annotation)
    except TypeError:
        return False
    return _no_custom(info, set())


def _no_custom(node: Any, seen: set[int]) -> bool:
    if isinstance(node, msgspec.inspect.CustomType):
        return False
    if id(node) in seen:  # a recursive model
        return True
    seen.add(id(node))
    if isinstance(node, tuple | list):
        return all(_no_custom(each, seen) for each in node)
    if isinstance(node, msgspec.inspect.Type | msgspec.inspect.Field):
        return all(_no_custom(getattr(node, name), seen) for name in node.__struct_fields__)
    return True


def model_fields(model: type) -> list[tuple[str, Any, bool]]:
    """(JSON key, type, required) of each field of a Struct, dataclass or TypedDict."""
    hints = typing.get_type_hints(model, include_extras=True)
    if issubclass(model, msgspec.Struct):
        return [(f.encode_name, hints[f.name], f.required) for f in msgspec.structs.fields(model)]
    if dataclasses.is_dataclass(model):
        return [
            (
                f.name,
                hints[f.name],
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            )
            for f in dataclasses.fields(model)
        ]
    required: frozenset[str] = getattr(model, "__required_keys__", frozenset())
    return [(name, hint, name in required) for name, hint in hints.items()]


# What `validate` returns for a value that does not fit (its errors are in `errors`).
INVALID: Any = object()


def validate(value: Any, annotation: Any, loc: Loc, errors: list[ErrorEntry]) -> Any:
    """`value` (decoded JSON) as `annotation`, or INVALID with every error appended."""
    if holds_pydantic(annotation):
        found = _pydantic_errors(value, annotation, loc)
        if isinstance(found, list):
            errors.extend(found)
            return INVALID
        return found
    try:
        return msgspec.convert(value, annotation, strict=False)
    except msgspec.ValidationError:
        errors.extend(collect_errors(value, annotation, loc))
        return INVALID


def collect_errors(value: Any, annotation: Any, loc: Loc) -> list[ErrorEntry]:
    """Every error of `value` (decoded JSON) against `annotation`, FastAPI-style."""
    errors: list[ErrorEntry] = []
    _collect(value, annotation, loc, errors)
    return errors


def _collect(value: Any, annotation: Any, loc: Loc, errors: list[ErrorEntry]) -> None:
    if holds_pydantic(annotation):
        found = _pydantic_errors(value, annotation, loc)
        if isinstance(found, list):
            errors.extend(found)
        return
    if is_model(annotation) and isinstance(value, dict):
        for key, hint, required in model_fields(annotation):
            if key in value:
                _collect(value[key], hint, [*loc, key], errors)
            elif required:
                errors.append(missing([*loc, key], value))
        return
    origin = typing.get_origin(annotation)
    if origin in (list, Sequence, tuple, set, frozenset) and isinstance(value, list):
        args = typing.get_args(annotation)
        if len(args) == 1:
            try:
                msgspec.convert(value, annotation, strict=False)
            except msgspec.ValidationError:
                for index, item in enumerate(value):
                    _collect(item, args[0], [*loc, index], errors)
            return
    try:
        msgspec.convert(value, annotation, strict=False)
    except msgspec.ValidationError as exc:
        errors.append(translate(exc, value, annotation, loc))


def _pydantic_errors(value: Any, model: Any, loc: Loc) -> Any:
    """The validated model, or the list of its errors."""
    pydantic = sys.modules["pydantic"]
    try:
        return _adapter(model).validate_python(value)
    except pydantic.ValidationError as exc:
        return [
            error(e["type"], [*loc, *e["loc"]], e["msg"], e["input"], e.get("ctx"))
            for e in exc.errors(include_url=False)
        ]


_PATH = re.compile(r" - at `\$(.*)`$")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_EXPECTED = re.compile(r"^Expected `(\w+)`, got `(\w+)`$")
_BOUND = re.compile(r"^Expected `\w+` (>=|>|<=|<) (\S+)$")
_LENGTH = re.compile(r"^Expected `(\w+)` of length (>=|<=) (\d+)$")
_PATTERN = re.compile(r"^Expected `str` matching regex '(.*)'$")
_MISSING = re.compile(r"^Object missing required field `(.+)`$")
_BOUNDS = {">=": "ge", ">": "gt", "<=": "le", "<": "lt"}


def _walk(value: Any, path: str) -> tuple[Loc, Any]:
    loc: Loc = []
    for name, index in _STEP.findall(path):
        if index == "...":  # a dict's key that msgspec does not name
            break
        step: str | int = name if name else int(index)
        loc.append(step)
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            value = None
    return loc, value


def translate(exc: msgspec.ValidationError, value: Any, annotation: Any, loc: Loc) -> ErrorEntry:
    """One msgspec error as FastAPI's entry (its path appended to `loc`)."""
    message = str(exc)
    found = _PATH.search(message)
    if found:
        message = message[: found.start()]
        where, value = _walk(value, found.group(1))
        loc = [*loc, *where]
    if m := _MISSING.match(message):
        return missing([*loc, m.group(1)], value)
    if m := _EXPECTED.match(message):
        wanted, got = m.groups()
        if wanted == "int" and got == "float":
            msg = "Input should be a valid integer, got a number with a fractional part"
            return error("int_from_float", loc, msg, value)
        if wanted == "object" and not loc[1:]:
            msg = "Input should be a valid dictionary or object to extract fields from"
            return error("model_attributes_type", loc, msg, value)
        if got == "str" and wanted in PARSE_ERRORS:
            return error(*PARSE_ERRORS[wanted][:1], loc, PARSE_ERRORS[wanted][1], value)
        type_, msg = TYPE_ERRORS.get(wanted, ("value_error", message))
        return error(type_, loc, msg, value)
    if m := _BOUND.match(message):
        op = _BOUNDS[m.group(1)]
        limit = _number(m.group(2))
        words = {"gt": "greater than", "ge": "greater than or equal to"}
        words |= {"lt": "less than", "le": "less than or equal to"}
        types = {"gt": "greater_than", "ge": "greater_than_equal"}
        types |= {"lt": "less_than", "le": "less_than_equal"}
        return error(types[op], loc, f"Input should be {words[op]} {limit}", value, {op: limit})
    if m := _LENGTH.match(message):
        kind, op_sign, size = m.group(1), m.group(2), int(m.group(3))
        op = "min_length" if op_sign == ">=" else "max_length"
        if kind == "str":
            plural = "character" if size == 1 else "characters"
            if op == "min_length":
                msg = f"String should have at least {size} {plural}"
                return error("string_too_short", loc, msg, value, {op: size})
            msg = f"String should have at most {size} {plural}"
            return error("string_too_long", loc, msg, value, {op: size})
    if m := _PATTERN.match(message):
        pattern = m.group(1)
        msg = f"String should match pattern '{pattern}'"
        return error("string_pattern_mismatch", loc, msg, value, {"pattern": pattern})
    if message.startswith("Invalid enum value"):
        choices = _choices(annotation)
        if choices is not None:
            type_, allowed = choices
            shown = expected_one_of(allowed)
            return error(type_, loc, f"Input should be {shown}", value, {"expected": shown})
    for word, kind in (("UUID", "uuid"), ("datetime", "datetime"), ("date", "date")):
        if message.startswith("Invalid") and word in message:
            return error(PARSE_ERRORS[kind][0], loc, PARSE_ERRORS[kind][1], value)
    if message.startswith("Invalid decimal"):
        return error("decimal_parsing", loc, PARSE_ERRORS["decimal"][1], value)
    return error("value_error", loc, message, value)


def _number(text: str) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _choices(annotation: Any) -> tuple[str, list[Any]] | None:
    """The error type and allowed values when the failing field is the annotation itself."""
    if typing.get_origin(annotation) is typing.Literal:
        return "literal_error", list(typing.get_args(annotation))
    if isinstance(annotation, type) and hasattr(annotation, "__members__"):
        return "enum", [member.value for member in annotation]  # type: ignore[attr-defined]
    return None
