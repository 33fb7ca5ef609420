"""Where a handler parameter is read from: `Query() Header() Cookie() Path() Body() Form() File()`.

The markers take FastAPI's arguments, so a ported signature keeps working:
`page: int = Query(1, ge=1)` or `page: Annotated[int, Query(ge=1)] = 1`.
They only describe; altapi_core.binding compiles them into readers at registration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Body", "Cookie", "File", "Form", "Header", "Param", "Path", "Query", "Required"]


class _RequiredType:
    def __repr__(self) -> str:
        return "Required"


# The default of a parameter that must be present (`Query()` or `Query(...)`).
Required: Any = _RequiredType()


class Param:
    """A parameter's source, default, constraints and documentation."""

    source = ""  # "query", "header", "cookie", "path", "body", "form" or "file"
    media_type: str | None = None

    def __init__(
        self,
        default: Any = Required,
        *,
        default_factory: Callable[[], Any] | None = None,
        alias: str | None = None,
        title: str | None = None,
        description: str | None = None,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        regex: str | None = None,
        multiple_of: float | None = None,
        examples: list[Any] | None = None,
        example: Any = Required,
        openapi_examples: dict[str, Any] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        json_schema_extra: dict[str, Any] | None = None,
    ) -> None:
        if default is ...:
            default = Required
        if default is not Required and default_factory is not None:
            raise TypeError("give a default or a default_factory, not both")
        self.default = default
        self.default_factory = default_factory
        self.alias = alias
        self.title = title
        self.description = description
        self.gt, self.ge, self.lt, self.le = gt, ge, lt, le
        self.min_length = min_length
        self.max_length = max_length
        self.pattern = pattern if pattern is not None else regex
        self.multiple_of = multiple_of
        if examples is None and example is not Required:
            examples = [example]
        self.examples = examples
        self.openapi_examples = openapi_examples
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.json_schema_extra = json_schema_extra

    @property
    def required(self) -> bool:
        return self.default is Required and self.default_factory is None

    def constraints(self) -> dict[str, Any]:
        """The constraints that were given, by name (`{"ge": 1}`)."""
        names = ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern", "multiple_of")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default!r})"


class Query(Param):
    source = "query"


class Path(Param):
    source = "path"


class Cookie(Param):
    source = "cookie"


class Header(Param):
    """A header; `user_agent` reads `User-Agent` unless `convert_underscores=False`."""

    source = "header"

    def __init__(self, default: Any = Required, *, convert_underscores: bool = True, **kw: Any):
        super().__init__(default, **kw)
        self.convert_underscores = convert_underscores


class Body(Param):
    """The JSON body, or one key of it (`embed=True`, or when a route has several bodies)."""

    source = "body"

    def __init__(
        self,
        default: Any = Required,
        *,
        embed: bool | None = None,
        media_type: str = "application/json",
        **kw: Any,
    ) -> None:
        super().__init__(default, **kw)
        self.embed = embed
        self.media_type = media_type


class Form(Body):
    """One field of an urlencoded or multipart form."""

    source = "form"

    def __init__(
        self,
        default: Any = Required,
        *,
        media_type: str = "application/x-www-form-urlencoded",
        **kw: Any,
    ) -> None:
        super().__init__(default, embed=True, media_type=media_type, **kw)


class File(Form):
    """An uploaded file (`UploadFile`, or `bytes` for its content)."""

    source = "file"

    def __init__(
        self, default: Any = Required, *, media_type: str = "multipart/form-data", **kw: Any
    ) -> None:
        super().__init__(default, media_type=media_type, **kw)
