"""A route's typed parameters read from the request in one pass, every error collected.

The dependency planner asks `resolve_parameter(parameter, where)` about each
parameter it cannot resolve itself; the answer is the parameter's `Field`, the
key under which its value waits in the plan's values. The route's binder, built
once from the Fields its plan needs, fills those values before the plan runs
(`read`, or `read_body` when the route has a body or a form), or raises one
`RequestValidationError` listing every error of the request. A route with no
typed parameter has no binder at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from .fields import Field, FieldKey, ItemErrors, describe
from .models import INVALID, holds_pydantic, validate
from .params import Required
from .uploads import UploadFile
from .validation import ErrorEntry, Invalid, RequestValidationError, error, missing

__all__ = ["RequestBinder", "resolve_parameter"]

_ABSENT: Any = object()
# What `decoded` gives when the body must go through the general path (which lists errors).
NOT_DECODED: Any = object()
_JSON_DECODE = msgspec.json.Decoder()


class RequestBinder:
    """The readers of one route's typed parameters, grouped by where they read."""

    def __init__(self, route: str, fields: Iterable[Field]) -> None:
        """`route` names the route in errors; a JSON body and form fields together are one."""
        self.route = route
        self.fields: list[Field] = sorted(dict.fromkeys(fields), key=lambda f: f.order)
        self._without: dict[frozenset[str], RequestBinder] = {}
        self.query: tuple[Field, ...] = ()
        self.header: tuple[Field, ...] = ()
        self.cookie: tuple[Field, ...] = ()
        self.path: tuple[Field, ...] = ()
        self.body: tuple[Field, ...] = ()
        self.form: tuple[Field, ...] = ()
        self.whole_body: Field | None = None  # the one body parameter read as the whole body
        self._has_parts = False  # any parameter outside the body
        self._decoder: msgspec.json.Decoder[Any] | None = None
        self._group()

    def without(self, overrides: Mapping[Any, Any]) -> RequestBinder:
        """This binder less the parameters of the dependencies `overrides` replaces (their
        names appear in a Field's `where`: "handler -> dependency"); kept per override set."""
        names = frozenset(getattr(call, "__name__", "") for call in overrides)
        binder = self._without.get(names)
        if binder is None:
            kept = [f for f in self.fields if not names & set(f.where.split(" -> ")[1:])]
            binder = self._without[names] = RequestBinder(self.route, kept)
        return binder

    @property
    def needs_body(self) -> bool:
        return bool(self.body or self.form)

    def _group(self) -> None:
        by_source: dict[str, list[Field]] = {}
        for field in self.fields:
            source = "form" if field.source == "file" else field.source
            by_source.setdefault(source, []).append(field)
        self.query = tuple(by_source.get("query", ()))
        self.header = tuple(by_source.get("header", ()))
        self.cookie = tuple(by_source.get("cookie", ()))
        self.path = tuple(by_source.get("path", ()))
        self.body = tuple(by_source.get("body", ()))
        self.form = tuple(by_source.get("form", ()))
        if self.body and self.form:
            names = ", ".join(repr(f.name) for f in (*self.body, *self.form))
            raise TypeError(
                f"route {self.route}: a JSON body and form fields cannot be read from one "
                f"request (parameters {names}); use Form() for every field, or a body model"
            )
        self._has_parts = bool(self.query or self.header or self.cookie or self.path)
        self._single_values: list[tuple[FieldKey, str, Any]] | None = None
        only_query = self.query and not (self.header or self.cookie or self.path)
        if only_query and not any(field.many for field in self.query):
            self._single_values = [(f.key, f.alias, f.convert) for f in self.query]
        self.whole_body = None
        self._decoder = None
        if len(self.body) == 1 and not getattr(self.body[0].marker, "embed", False):
            self.whole_body = self.body[0]
            if not holds_pydantic(self.whole_body.annotation):
                self._decoder = msgspec.json.Decoder(self.whole_body.annotation, strict=False)
        # One JSON body into a msgspec type and nothing else: see `decoded`.
        self.json_only = self._decoder is not None and not self._has_parts

    # --- reading ---------------------------------------------------------------------------

    def read(self, request: Any, values: dict[Any, Any], path_params: dict[Any, Any]) -> None:
        """Fill the values of every parameter but the body's; 422 on any error.

        A path parameter is converted in `path_params`, where the plan reads it."""
        errors: list[ErrorEntry] = []
        if self._single_values is not None:
            # PERF: the commonest shape, query parameters of one value each, read inline
            # from prepared (key, name, convert) triples (~0.5 µs less for two).
            get = request.query_params.get
            for key, alias, convert in self._single_values:
                raw = get(alias)
                if raw is None:
                    errors.append(_ABSENT)
                    break
                try:
                    values[key] = convert(raw)
                except Invalid:
                    errors.append(_ABSENT)
                    break
            else:
                return
            errors.clear()  # some value is missing or wrong: the general path lists them all
        self._read_parts(request, values, path_params, errors)
        if errors:
            raise RequestValidationError(errors)

    async def read_body(
        self, request: Any, values: dict[Any, Any], path_params: dict[Any, Any]
    ) -> None:
        """`read`, then the JSON body or the form; every error of both in one 422."""
        if self.json_only:
            value = self.decoded(request, await request.body())
            if value is not NOT_DECODED:
                values[self.whole_body.key] = value  # type: ignore[union-attr]
                return
        errors: list[ErrorEntry] = []
        if self._has_parts:
            self._read_parts(request, values, path_params, errors)
        if self.form:
            _read_group(self.form, await request.form(), values, errors)
            for field in self.form:
                if field.key in values:
                    values[field.key] = await _file_value(field, values[field.key], errors)
        elif self.body:
            await self._read_json(request, values, errors)
        if errors:
            raise RequestValidationError(errors)

    def decoded(self, request: Any, raw: bytes) -> Any:
        """The one JSON body of a `json_only` route decoded and validated by msgspec in
        one pass (no dict built), or NOT_DECODED: then the general path lists the errors.
        test_binding ties the two paths."""
        if raw and _json_content(request.scope["headers"]):
            try:
                return self._decoder.decode(raw)  # type: ignore[union-attr]
            except (msgspec.ValidationError, msgspec.DecodeError):
                pass
        return NOT_DECODED

    def _read_parts(
        self,
        request: Any,
        values: dict[Any, Any],
        path_params: dict[Any, Any],
        errors: list[ErrorEntry],
    ) -> None:
        # FastAPI's order: path, query, header, cookie (then the body).
        if self.path:
            _convert_path(self.path, path_params, errors)
        if self.query:
            _read_group(self.query, request.query_params, values, errors)
        if self.header:
            _read_group(self.header, request.headers, values, errors)
        if self.cookie:
            _read_group(self.cookie, request.cookies, values, errors)

    async def _read_json(
        self, request: Any, values: dict[Any, Any], errors: list[ErrorEntry]
    ) -> None:
        raw = await request.body()
        whole = self.whole_body
        if not raw:
            for field in self.body:
                _absent(field, values, errors, ("body",) if field is whole else field.loc)
            return
        if not _json_content(request.scope["headers"]):
            msg = "Input should be a valid dictionary or object to extract fields from"
            errors.append(error("model_attributes_type", ["body"], msg, raw.decode("latin-1")))
            return
        if self._decoder is not None and whole is not None:
            try:  # PERF: decoded and validated by msgspec in one pass, no dict built
                values[whole.key] = self._decoder.decode(raw)
                return
            except msgspec.ValidationError:
                pass  # listed below, every error with its location
            except msgspec.DecodeError as exc:
                errors.append(_json_invalid(exc))
                return
        try:
            document = _JSON_DECODE.decode(raw)
        except msgspec.DecodeError as exc:
            errors.append(_json_invalid(exc))
            return
        if whole is not None:
            value = validate(document, whole.annotation, ["body"], errors)
            if value is not INVALID:
                values[whole.key] = value
            return
        if not isinstance(document, dict):
            msg = "Input should be a valid dictionary or object to extract fields from"
            errors.append(error("model_attributes_type", ["body"], msg, document))
            return
        for field in self.body:
            if field.alias not in document:
                _absent(field, values, errors, field.loc)
                continue
            value = validate(document[field.alias], field.annotation, list(field.loc), errors)
            if value is not INVALID:
                values[field.key] = value


def _json_content(headers: list[tuple[bytes, bytes]]) -> bool:
    """No Content-Type, or a JSON one: FastAPI reads no other body as JSON."""
    for name, value in headers:
        if name == b"content-type":
            # PERF: the usual value first: lower() and `in` cost ~2k instructions
            return value == b"application/json" or value.lower().find(b"json") != -1
    return True


def _convert_path(
    fields: tuple[Field, ...], path_params: dict[str, Any], errors: list[ErrorEntry]
) -> None:
    """Path parameters the router matched as strings, converted where the plan reads them."""
    for field in fields:
        try:
            path_params[field.name] = field.convert(path_params[field.alias])
        except Invalid as exc:
            errors.append(exc.entry(field.loc))


def resolve_parameter(parameter: inspect.Parameter, where: str) -> FieldKey:
    """The DI planner's hook: a parameter nothing else resolves is read from the request;
    its value waits in the plan's values under the key returned (`.field` describes it)."""
    return describe(parameter, where).key


def _read_group(
    fields: tuple[Field, ...], source: Mapping[str, Any], values: dict[Any, Any], errors: list[Any]
) -> None:
    for field in fields:
        if field.many:
            raw: Any = source.getlist(field.alias)  # type: ignore[attr-defined]
            if not raw:
                raw = _ABSENT
        else:
            raw = source.get(field.alias, _ABSENT)
        if raw is _ABSENT:
            _absent(field, values, errors, field.loc)
            continue
        try:
            values[field.key] = field.convert(raw)
        except (Invalid, ItemErrors) as exc:
            _add_error(errors, field, exc)


def _add_error(errors: list[ErrorEntry], field: Field, exc: Invalid | ItemErrors) -> None:
    if isinstance(exc, Invalid):
        errors.append(exc.entry(field.loc))
    else:
        errors.extend(each.entry((*field.loc, index)) for index, each in exc.errors)


def _absent(
    field: Field, values: dict[Any, Any], errors: list[ErrorEntry], loc: tuple[str, ...]
) -> None:
    if field.default is Required and field.factory is None:
        errors.append(missing(loc))
    else:
        values[field.key] = field.missing_value()


async def _file_value(field: Field, value: Any, errors: list[ErrorEntry]) -> Any:
    """An uploaded file checked (a plain field is not one), or its bytes for `bytes`."""
    items = value if field.many else [value]
    if field.source == "file":
        for index, item in enumerate(items):
            if not isinstance(item, UploadFile):
                loc: list[str | int] = [*field.loc, index] if field.many else [*field.loc]
                msg = f"Expected UploadFile, received: {type(item)}"
                errors.append(error("value_error", loc, f"Value error, {msg}", item))
                return value
        if not field.upload:  # bytes: the file's content
            contents = [await item.read() for item in items]
            return contents if field.many else contents[0]
    return value


def _json_invalid(exc: msgspec.DecodeError) -> ErrorEntry:
    message = str(exc)
    position: Any = 0
    if "(byte " in message:
        message, _, tail = message.rpartition(" (byte ")
        position = int(tail.rstrip(")"))
    return error("json_invalid", ["body", position], "JSON decode error", {}, {"error": message})
