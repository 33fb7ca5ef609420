"""`render_template(name, context)`: render with the current app's templates extension."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from altapi_core.context import current_request
from altapi_core.responses import Response

from .extension import Templates

__all__ = ["render_template"]

_DEFAULT = Templates()


def render_template(
    name: str, context: Mapping[str, Any] | None = None, /, **options: Any
) -> Response:
    """An HTML response from template `name`, found through the current app's `Templates`
    extension (`app.extensions["templates"]`; without one, in the `templates` directory).

    Call it while handling a request. `options` are those of
    `Jinja2Templates.TemplateResponse` (status_code, headers, media_type,
    background, stream).
    """
    try:
        request = current_request()
    except LookupError:
        raise RuntimeError("render_template() must be called while handling a request") from None
    extension: Templates = request.app.extensions.get(Templates.name, _DEFAULT)
    return extension.get().TemplateResponse(request, name, context, **options)
