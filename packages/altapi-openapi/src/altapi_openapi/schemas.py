"""JSON Schemas of Python types, models collected once under `components/schemas`."""

from __future__ import annotations

import sys
import typing
from typing import Any

import msgspec

from altapi_core.models import holds_pydantic
from altapi_core.uploads import UploadFile

__all__ = ["SchemaRegistry", "VALIDATION_SCHEMAS"]

REF = "#/components/schemas/{name}"

_FILE = {"type": "string", "format": "binary"}

# FastAPI's names for the 422 body, so generated clients keep their types.
VALIDATION_SCHEMAS: dict[str, Any] = {
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {
                "title": "Location",
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"},
        },
    },
    "HTTPValidationError": {
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {"$ref": REF.format(name="ValidationError")},
            }
        },
    },
}


class SchemaRegistry:
    """Turns types into schemas; the models they name end up in `components`."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def schema(self, annotation: Any) -> dict[str, Any]:
        if annotation is None or annotation is type(None):
            return {"type": "null"}
        if _is_file(annotation):
            return dict(_FILE)
        item = _file_list(annotation)
        if item:
            return {"type": "array", "items": dict(_FILE)}
        if holds_pydantic(annotation):
            return self._pydantic(annotation)
        try:
            (schema,), components = msgspec.json.schema_components([annotation], ref_template=REF)
        except (TypeError, ValueError):
            return {}  # a type with no JSON form (e.g. a Response subclass): say nothing
        self.components.update(components)
        return dict(schema)

    def _pydantic(self, annotation: Any) -> dict[str, Any]:
        adapter = sys.modules["pydantic"].TypeAdapter(annotation)
        schema = adapter.json_schema(ref_template=REF.replace("{name}", "{model}"))
        self.components.update(schema.pop("$defs", {}))
        if isinstance(annotation, type) and "properties" in schema:
            name = annotation.__name__
            self.components[name] = schema
            return {"$ref": REF.format(name=name)}
        return dict(schema)


def _is_file(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, UploadFile)


def _file_list(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    return (
        typing.get_origin(annotation) in (list, tuple, set)
        and len(args) == 1
        and (_is_file(args[0]) or args[0] is bytes)
    )
