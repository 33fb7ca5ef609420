"""The options a route decorator takes besides its path: one table, checked at registration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    def parse(cls, route: str, options: Mapping[str, Any]) -> RouteOptions:
        """The options given to a decorator; an unknown one is a TypeError naming the route."""
        known = [f.name for f in fields(cls)]
        for name in options:
            if name not in known:
                raise TypeError(
                    f"route {route}: unknown option {name!r}; route options are name, "
                    f"dependencies, {', '.join(known)}"
                )
        values = dict(options)
        if "tags" in values:
            values["tags"] = _names(values["tags"])
        if values.get("responses") is None:
            values.pop("responses", None)
        return cls(**values)

    def with_tags(self, tags: Sequence[str]) -> RouteOptions:
        """These options with a router's `tags` first."""
        if not tags:
            return self
        merged = tuple(dict.fromkeys([*tags, *self.tags]))
        return RouteOptions(**{**self.__dict__, "tags": merged})

    @property
    def shapes_result(self) -> bool:
        return self.status_code is not None or self.response_model is not None


def _names(tags: Any) -> tuple[str, ...]:
    if isinstance(tags, str) or not isinstance(tags, Sequence):
        raise TypeError(f"tags must be a list of names, not {tags!r}")
    return tuple(str(tag) for tag in tags)
