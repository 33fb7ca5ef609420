"""One typed parameter, decided once: where it is read from, under what name, how converted.

`describe(parameter, route)` looks at a handler's (or dependency's) parameter:
its annotation (with `Annotated` extras), its default and its marker
(`Query()`, `Body()`...). A parameter with no marker is read from the query
string when its type is a scalar or a list of scalars, from the JSON body when
it is a model, from the form when it is an `UploadFile`, as FastAPI does. A
type that cannot come from where it is declared is a `TypeError` naming the route.
"""

from __future__ import annotations

import inspect
import itertools
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from altapi_di import DependencyError

from .models import holds_pydantic, json_readable
from .params import Body, File, Header, Param, Path, Query, Required
from .scalars import is_scalar, list_checks, scalar_converter
from .uploads import UploadFile
from .validation import Invalid

__all__ = ["Field", "FieldKey", "describe"]

_LISTS = (list, tuple, set, frozenset, Sequence)
_DECLARED = itertools.count()


class Field:
    """A parameter compiled into a reader: `source`, `alias`, `convert`, default."""

    __slots__ = (
        "alias",
        "annotation",
        "convert",
        "default",
        "factory",
        "loc",
        "many",
        "marker",
        "name",
        "nullable",
        "order",
        "source",
        "key",
        "upload",
        "where",
    )

    def __init__(
        self,
        where: str,
        name: str,
        source: str,
        alias: str,
        annotation: Any,
        marker: Param,
        *,
        many: bool,
        nullable: bool,
        default: Any,
    ) -> None:
        self.where = where  # the callable that takes it: "handler" or "handler -> dependency"
        self.name = name
        self.key = FieldKey(self)
        self.source = source
        self.alias = alias
        self.annotation = annotation  # the type without `| None`
        self.marker = marker
        self.many = many
        self.nullable = nullable
        self.default = default  # Required when it must be sent
        self.factory = marker.default_factory
        self.order = next(_DECLARED)  # errors are listed in the order parameters are declared
        self.loc: tuple[str, ...] = ("body" if source in ("form", "file") else source, alias)
        self.upload = _is_upload(annotation)
        self.convert: Callable[[Any], Any] = _identity  # set by describe() once checked

    @property
    def required(self) -> bool:
        return self.default is Required and self.factory is None

    def missing_value(self) -> Any:
        return self.factory() if self.factory is not None else self.default

    def __repr__(self) -> str:
        return f"<Field {self.where}: {self.name} from {self.source} {self.alias!r}>"


class FieldKey(tuple):
    """The key of a Field's value in a plan's values: `(where, name)`, so the same
    parameter of the same callable has the same key when a plan is made again
    (dependency_overrides). A tuple: hashed and compared in C (a Python __hash__
    measured ~0.3 µs a request for two parameters); `.field` is the Field."""

    field: Field

    def __new__(cls, field: Field) -> FieldKey:
        key = super().__new__(cls, (field.where, field.name))
        key.field = field
        return key


def _split(annotation: Any) -> tuple[Any, Param | None]:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        markers = [extra for extra in extras if isinstance(extra, Param)]
        return base, (markers[-1] if markers else None)
    return annotation, None


def _without_none(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)):
            return (args[0] if len(args) == 1 else typing.Union[tuple(args)]), True  # noqa: UP007 - built at run time
    return annotation, False


def _item_type(annotation: Any) -> Any | None:
    """The item type of `list[X]` (and tuple/set/Sequence of X), else None."""
    if annotation in (list, tuple, set, frozenset):
        return str
    if typing.get_origin(annotation) in _LISTS:
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return args[0] if len(args) == 1 else None
    return None


def _is_upload(annotation: Any) -> bool:
    item = _item_type(annotation)
    target = item if item is not None else annotation
    return isinstance(target, type) and issubclass(target, UploadFile)


def describe(param: inspect.Parameter, where: str, path: bool = False) -> Field:
    """The Field of one parameter of `where` (a DependencyError if it cannot be read).

    `path=True`: a path parameter the router leaves a string, converted to its
    annotation here.
    """
    if isinstance(param.annotation, str):
        raise DependencyError(
            f"{where}: the annotation {param.annotation!r} of parameter {param.name!r} "
            "cannot be resolved; import it at the top of the handler's module"
        )
    annotation, marker = _split(param.annotation)
    default = param.default
    if isinstance(default, Param):
        marker, default = default, default.default
    elif marker is not None and default is inspect.Parameter.empty:
        default = marker.default
    if default is inspect.Parameter.empty or default is ...:
        default = Required
    if annotation is inspect.Parameter.empty or annotation is Any:
        annotation = str
    annotation, nullable = _without_none(annotation)
    if marker is None:
        marker = Path() if path else _implied_marker(annotation)
    elif isinstance(marker, Path) and not path:
        raise DependencyError(f"{where}: Path() parameter {param.name!r} is not in the path")
    source = marker.source
    if source == "form" and _is_upload(annotation):
        source = "file"
    alias = marker.alias or param.name
    if isinstance(marker, Header) and marker.alias is None and marker.convert_underscores:
        alias = param.name.replace("_", "-")
    constraints = marker.constraints()
    if source == "body" and constraints and not holds_pydantic(annotation):
        annotation = typing.Annotated[
            annotation, msgspec.Meta(**constraints)
        ]  # checked in decoding
    item = _item_type(annotation)
    many = item is not None and source not in ("body", "path")
    field = Field(
        where,
        param.name,
        source,
        alias,
        annotation,
        marker,
        many=many,
        nullable=nullable,
        default=default,
    )
    _check_readable(field, item)
    field.convert = _converter(field)
    return field


def _implied_marker(annotation: Any) -> Param:
    item = _item_type(annotation)
    if _is_upload(annotation):
        return File()
    if is_scalar(annotation) or (item is not None and is_scalar(item)):
        return Query()
    return Body()


def _check_readable(field: Field, item: Any) -> None:
    def refuse(where: str) -> DependencyError:
        shown = getattr(field.annotation, "__name__", repr(field.annotation))
        return DependencyError(
            f"{field.where}: parameter {field.name!r} of type {shown} cannot be read from {where}"
        )

    if field.source == "body":
        if not holds_pydantic(field.annotation) and not json_readable(field.annotation):
            raise refuse("a JSON body")
        return
    if field.source == "file":
        if not (field.upload or field.annotation is bytes or item is bytes):
            raise refuse("an uploaded file (use UploadFile or bytes)")
        return
    scalar = item if field.many else field.annotation
    if field.many and field.source in ("cookie",):
        raise refuse("a cookie (a cookie has one value)")
    if not is_scalar(scalar):
        where = {"query": "the query string", "header": "a header", "cookie": "a cookie"}
        raise refuse(where.get(field.source, f"the {field.source}"))


def _converter(field: Field) -> Callable[[Any], Any]:
    if field.source == "body" or field.source == "file":
        return _identity
    constraints = field.marker.constraints()
    if not field.many:
        return scalar_converter(field.annotation, constraints)
    item = _item_type(field.annotation)
    length = {k: v for k, v in constraints.items() if k in ("min_length", "max_length")}
    per_item = scalar_converter(item, {k: v for k, v in constraints.items() if k not in length})
    checks = list_checks(length)
    container = typing.get_origin(field.annotation) or field.annotation
    build: Callable[[list[Any]], Any] = list if container is Sequence else container

    def convert(raws: list[str]) -> Any:
        values = []
        errors: list[tuple[int, Invalid]] = []
        for index, raw in enumerate(raws):
            try:
                values.append(per_item(raw))
            except Invalid as exc:
                errors.append((index, exc))
        if errors:
            raise ItemErrors(errors)
        for check in checks:
            check(raws)
        return build(values)

    return convert


class ItemErrors(Exception):
    """The errors of a list parameter's items, each with its index."""

    def __init__(self, errors: list[tuple[int, Invalid]]) -> None:
        self.errors = errors


def _identity(value: Any) -> Any:
    return value
