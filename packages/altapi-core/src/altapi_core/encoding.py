"""A handler's return value as a Response: JSON for any value API.md lists.

dict, list, tuple, str, int, float, bool, None, dataclass, `msgspec.Struct`,
pydantic model, datetime/date/time, UUID, Decimal, Enum and set are sent as
JSON by `JSONResponse` (msgspec, see jsonencoder.py). With `response_model` the
value is first validated and filtered through the model (fields it lacks are
not sent).
"""

from __future__ import annotations

import sys
from typing import Any

import msgspec

from .jsonencoder import json_default
from .models import holds_pydantic
from .responses import JSONResponse, Response

__all__ = ["ResultEncoder"]


class ResultEncoder:
    """Turns one route's results into Responses, with its `status_code` and `response_model`."""

    __slots__ = ("media_type", "model", "status_code", "_filter")

    def __init__(self, status_code: int | None = None, response_model: Any = None) -> None:
        self.status_code = 200 if status_code is None else status_code
        self.model = response_model
        self._filter = _filter_for(response_model) if response_model is not None else None

    def __call__(self, result: Any) -> Response:
        if isinstance(result, Response):
            return result
        status = self.status_code
        if status == 204 or status == 304 or status < 200:
            return Response(status_code=status)
        if self._filter is not None:
            result = self._filter(result)
        return JSONResponse(result, status)


def _filter_for(model: Any) -> Any:
    """A function validating a result through `model` and keeping only its fields."""
    if holds_pydantic(model):
        return _pydantic_filter(model)
    msgspec.json.Decoder(model)  # a TypeError now, at registration, if msgspec cannot hold it

    def through_msgspec(result: Any) -> Any:
        if isinstance(result, dict | list | tuple):
            builtins = msgspec.to_builtins(result, enc_hook=json_default)
            return msgspec.convert(builtins, model, strict=False)
        return msgspec.convert(result, model, from_attributes=True, strict=False)

    return through_msgspec


def _pydantic_filter(model: Any) -> Any:
    pydantic = sys.modules.get("pydantic")
    if pydantic is None:
        raise TypeError(f"response_model {model!r} cannot be checked (is pydantic installed?)")
    adapter = pydantic.TypeAdapter(model)

    def through_pydantic(result: Any) -> Any:
        value = adapter.validate_python(result, from_attributes=True)
        return adapter.dump_python(value, mode="json")

    return through_pydantic
