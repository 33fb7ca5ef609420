"""The route options that shape answers and the OpenAPI document, as one typed record.

Which options exist, and their defaults, is routing.ROUTE_OPTIONS (checked at
registration); this is the read-only view an Endpoint and altapi-openapi use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["RouteOptions"]


@dataclass(frozen=True)
class RouteOptions:
    """How a route answers and how the OpenAPI document shows it (FastAPI's names)."""

    status_code: int | None = None
    response_model: Any = None
    tags: tuple[str, ...] = ()
    summary: str | None = None
    description: str | None = None
    response_description: str = "Successful Response"
    responses: Mapping[int | str, Any] = field(default_factory=dict)
    deprecated: bool | None = None
    operation_id: str | None = None
    include_in_schema: bool = True

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> RouteOptions:
        """The fields of a route's checked options (a WebSocket route has none of them)."""
        given = {f.name: options[f.name] for f in fields(cls) if f.name in options}
        if given.get("responses") is None:
            given.pop("responses", None)
        return cls(**given)

    @property
    def shapes_result(self) -> bool:
        return self.status_code is not None or self.response_model is not None
