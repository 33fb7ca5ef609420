"""The OpenAPI 3.1 document of an app, built from what each route declared.

Everything comes from registration-time objects: the route's path and methods
(the router), its typed parameters (the route's binder), its dependencies (the
DI plan: security helpers), its options (`status_code`, `tags`, ...) and its
return annotation. Nothing is re-inspected per request: the app builds this
once and keeps it.
"""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any

import msgspec

from altapi_core.fields import Field
from altapi_core.params import Required
from altapi_core.responses import Response
from altapi_core.security import Security, SecurityBase

from .schemas import REF, VALIDATION_SCHEMAS, SchemaRegistry

__all__ = ["build_document"]

_PATH_PARAM = re.compile(r"{([^{}:]+)(?::([^{}]*))?}")
_CONVERTER_SCHEMAS = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "uuid": {"type": "string", "format": "uuid"},
}


def build_document(app: Any, about: Any) -> dict[str, Any]:
    """The document of `app`'s routes; `about` (the OpenAPI extension) gives its title,
    version, description and tags."""
    schemas = SchemaRegistry()
    security_schemes: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes:
        endpoint = route.handler
        options = getattr(endpoint, "options", None)
        if route.websocket or options is None or not options.include_in_schema:
            continue
        path = _PATH_PARAM.sub(lambda m: "{" + m.group(1) + "}", route.path)
        for method in sorted(route.methods):
            if method == "HEAD" and "GET" in route.methods:
                continue
            operation = _operation(route, endpoint, method, path, schemas, security_schemes)
            paths.setdefault(path, {})[method.lower()] = operation
    info = {"title": about.title, "version": about.version}
    if about.description:
        info["description"] = about.description
    document: dict[str, Any] = {"openapi": "3.1.0", "info": info, "paths": paths}
    components: dict[str, Any] = {}
    if schemas.components:
        components["schemas"] = dict(sorted(schemas.components.items()))
    if security_schemes:
        components["securitySchemes"] = security_schemes
    if components:
        document["components"] = components
    if about.tags:
        document["tags"] = about.tags
    return document


def _operation(
    route: Any,
    endpoint: Any,
    method: str,
    path: str,
    schemas: SchemaRegistry,
    security_schemes: dict[str, Any],
) -> dict[str, Any]:
    options = endpoint.options
    handler = endpoint.handler
    name = route.name or getattr(handler, "__name__", "handler")
    operation: dict[str, Any] = {}
    if options.tags:
        operation["tags"] = list(options.tags)
    operation["summary"] = options.summary or name.replace("_", " ").title()
    description = options.description or inspect.getdoc(handler)
    if description:
        operation["description"] = description
    operation["operationId"] = options.operation_id or re.sub(
        r"\W", "_", f"{name}{path}_{method.lower()}"
    )
    fields: list[Field] = list(endpoint.binder.fields) if endpoint.binder is not None else []
    parameters = _parameters(route.path, fields, schemas)
    if parameters:
        operation["parameters"] = parameters
    body = _request_body(fields, schemas)
    if body is not None:
        operation["requestBody"] = body
    operation["responses"] = _responses(endpoint, handler, fields, schemas)
    if options.deprecated:
        operation["deprecated"] = True
    requirements = _security(endpoint, handler, security_schemes)
    if requirements:
        operation["security"] = requirements
    return operation


def _parameters(path: str, fields: list[Field], schemas: SchemaRegistry) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    declared = {f.alias for f in fields if f.source == "path"}
    for name, converter in _PATH_PARAM.findall(path):
        if name not in declared:
            schema = dict(_CONVERTER_SCHEMAS.get(converter, {"type": "string"}))
            parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    for field in fields:
        if field.source not in ("query", "header", "cookie", "path"):
            continue
        marker = field.marker
        if not marker.include_in_schema:
            continue
        parameter: dict[str, Any] = {
            "name": field.alias,
            "in": field.source,
            "required": field.source == "path" or field.required,
            "schema": _field_schema(field, schemas),
        }
        if marker.description:
            parameter["description"] = marker.description
        if marker.deprecated:
            parameter["deprecated"] = True
        parameters.append(parameter)
    return parameters


def _field_schema(field: Field, schemas: SchemaRegistry) -> dict[str, Any]:
    marker = field.marker
    annotation = field.annotation
    if field.source == "file" and not field.upload:  # bytes read from a file
        schema: dict[str, Any] = (
            {"type": "array", "items": {"type": "string", "format": "binary"}}
            if field.many
            else {"type": "string", "format": "binary"}
        )
    else:
        constraints = marker.constraints() if field.source != "body" else {}
        if constraints and not field.many:
            annotation = typing.Annotated[annotation, msgspec.Meta(**constraints)]
        schema = schemas.schema(annotation)
    if field.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if marker.title:
        schema["title"] = marker.title
    if marker.examples:
        schema["examples"] = list(marker.examples)
    if not field.required and field.factory is None and field.default is not Required:
        try:
            schema["default"] = msgspec.to_builtins(field.default)
        except TypeError:
            pass
    return schema


def _request_body(fields: list[Field], schemas: SchemaRegistry) -> dict[str, Any] | None:
    body = [f for f in fields if f.source == "body"]
    form = [f for f in fields if f.source in ("form", "file")]
    if not body and not form:
        return None
    parts = body or form
    if body and len(body) == 1 and not getattr(body[0].marker, "embed", False):
        field = body[0]
        schema = _field_schema(field, schemas)
        required = field.required
    else:
        properties = {}
        for field in parts:
            properties[field.alias] = _field_schema(field, schemas)
            if field.marker.description:
                properties[field.alias]["description"] = field.marker.description
        schema = {"type": "object", "properties": properties}
        needed = [f.alias for f in parts if f.required]
        if needed:
            schema["required"] = needed
        required = bool(needed)
    if body:
        media = body[0].marker.media_type or "application/json"
    elif any(f.source == "file" for f in form):
        media = "multipart/form-data"
    else:
        media = form[0].marker.media_type or "application/x-www-form-urlencoded"
    request_body: dict[str, Any] = {"content": {media: {"schema": schema}}}
    if required:
        request_body["required"] = True
    return request_body


def _responses(
    endpoint: Any, handler: Any, fields: list[Field], schemas: SchemaRegistry
) -> dict[str, Any]:
    options = endpoint.options
    status = str(options.status_code or 200)
    success: dict[str, Any] = {"description": options.response_description}
    model = options.response_model
    if model is None:
        model = _return_annotation(handler)
    if status not in ("204", "304"):
        schema = schemas.schema(model) if model is not None else {}
        success["content"] = {"application/json": {"schema": schema}}
    responses: dict[str, Any] = {status: success}
    if fields:
        schemas.components.update(VALIDATION_SCHEMAS)
        responses["422"] = {
            "description": "Validation Error",
            "content": {
                "application/json": {"schema": {"$ref": REF.format(name="HTTPValidationError")}}
            },
        }
    for code, extra in options.responses.items():
        entry = dict(extra)
        extra_model = entry.pop("model", None)
        entry.setdefault("description", responses.get(str(code), {}).get("description", ""))
        if extra_model is not None:
            entry["content"] = {"application/json": {"schema": schemas.schema(extra_model)}}
        responses[str(code)] = {**responses.get(str(code), {}), **entry}
    return responses


def _return_annotation(handler: Any) -> Any:
    try:
        annotation = typing.get_type_hints(handler).get("return")
    except Exception:
        return None
    if annotation is None or annotation is type(None):
        return None
    if isinstance(annotation, type) and issubclass(annotation, Response):
        return None
    return annotation


def _security(endpoint: Any, handler: Any, schemes: dict[str, Any]) -> list[dict[str, list[str]]]:
    scopes: dict[int, list[str]] = {}
    try:
        parameters = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        parameters = []  # type: ignore[assignment]
    for parameter in parameters:
        if isinstance(parameter.default, Security):
            scopes[id(parameter.default.dependency)] = parameter.default.scopes
    requirements = []
    for step in endpoint.plan.steps:
        if isinstance(step.call, SecurityBase):
            helper = step.call
            schemes[helper.scheme_name] = helper.openapi_scheme()
            requirements.append({helper.scheme_name: scopes.get(id(helper), [])})
    return requirements
