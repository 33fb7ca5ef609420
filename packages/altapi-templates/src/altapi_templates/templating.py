"""`Jinja2Templates`: a Jinja2 environment and responses rendered from it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jinja2

from altapi_core.background import BackgroundTask
from altapi_core.context import current_request
from altapi_core.requests import Request
from altapi_core.responses import HTMLResponse, Response, StreamingResponse
from altapi_core.types import Receive, Scope, Send

from .errors import clear_errors

__all__ = ["Jinja2Templates", "TemplateResponse"]

AUTOESCAPED = ("html", "htm", "xml", "jinja")
ContextProcessor = Callable[[Request], dict[str, Any]]
Directory = str | os.PathLike[str]


def _request_of(context: Mapping[str, Any]) -> Request:
    request = context.get("request")
    if request is not None:
        return request
    try:
        return current_request()
    except LookupError:
        raise RuntimeError(
            "url_for/static_url need a request: render inside a request or pass 'request' "
            "in the context"
        ) from None


@jinja2.pass_context
def _url_for(context: Any, name: str, /, **path_params: Any) -> str:
    """`{{ url_for('user', id=1) }}`: the absolute URL of a route."""
    return str(_request_of(context).url_for(name, **path_params))


@jinja2.pass_context
def _static_url(context: Any, path: str) -> str:
    """`{{ static_url('css/site.css') }}`: the URL of a file under the "static" mount."""
    return str(_request_of(context).url_for("static", path=path))


class TemplateResponse(HTMLResponse):
    """An HTML response rendered from a template; `template` and `context` are kept for
    tests. With an async environment the body is rendered when the response is sent
    (or by `await response.render_async()`)."""

    def __init__(
        self,
        template: jinja2.Template,
        context: dict[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.template = template
        self.context = context
        if template.environment.is_async:
            self.status_code = status_code
            if media_type is not None:
                self.media_type = media_type
            self.background = background
            self.body = None  # type: ignore[assignment]
            self.raw_headers = self._build_headers(headers)
        else:
            with clear_errors(template.environment):
                content = template.render(context)
            super().__init__(content, status_code, headers, media_type, background)

    async def render_async(self) -> bytes:
        if self.body is None:
            with clear_errors(self.template.environment):
                content = await self.template.render_async(self.context)
            self.body = self.render(content)
            if not any(name == b"content-length" for name, _ in self.raw_headers):
                self.raw_headers.insert(0, (b"content-length", str(len(self.body)).encode()))
        return self.body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.render_async()
        await super().__call__(scope, receive, send)


class Jinja2Templates:
    """`Jinja2Templates(directory, **env_options)`: templates from one or more directories.

    `env_options` go to `jinja2.Environment`. Defaults differ from jinja2's in
    two ways: autoescaping is on for .html/.htm/.xml/.jinja, and `auto_reload`
    is off, so a compiled template is reused without checking the file on each
    request (pass `auto_reload=True` while developing). `enable_async=True`
    renders with `render_async`. Templates can call `url_for(name, **params)`
    and `static_url(path)`, and see `request`.
    """

    def __init__(
        self,
        directory: Directory | Sequence[Directory] | None = None,
        *,
        env: jinja2.Environment | None = None,
        context_processors: Sequence[ContextProcessor] | None = None,
        **env_options: Any,
    ) -> None:
        if (directory is None) == (env is None):
            raise TypeError("Jinja2Templates takes either a directory or env=, and not both")
        if env is None:
            env_options.setdefault("autoescape", jinja2.select_autoescape(AUTOESCAPED))
            env_options.setdefault("auto_reload", False)
            env_options.setdefault("loader", jinja2.FileSystemLoader(directory))  # type: ignore[arg-type]
            env = jinja2.Environment(**env_options)
        env.globals.setdefault("url_for", _url_for)
        env.globals.setdefault("static_url", _static_url)
        self.env = env
        self.context_processors = list(context_processors or ())

    def get_template(self, name: str) -> jinja2.Template:
        with clear_errors(self.env):
            return self.env.get_template(name)

    def TemplateResponse(self, *args: Any, **kwargs: Any) -> Response:
        """`TemplateResponse(name, context, status_code=200, headers=None,
        media_type="text/html", background=None, stream=False)`, or Starlette's
        `TemplateResponse(request, name, context=None, ...)`.

        The request (given, in the context, or the one being handled) is put
        in the context as `request`. `stream=True` sends the page as it renders.
        """
        request, name, context, options = _arguments(args, kwargs)
        context = dict(context or {})
        if request is None:
            request = context.get("request")
        if request is None:
            try:
                request = current_request()
            except LookupError:
                raise ValueError(
                    "TemplateResponse needs a request (none is being handled)"
                ) from None
        context.setdefault("request", request)
        for processor in self.context_processors:
            context.update(processor(request))
        return self._response(self.get_template(name), context, **options)

    def _response(
        self,
        template: jinja2.Template,
        context: dict[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        stream: bool = False,
    ) -> Response:
        if not stream:
            return TemplateResponse(template, context, status_code, headers, media_type, background)
        chunks: Any = (
            template.generate_async(context)
            if template.environment.is_async
            else template.generate(context)
        )
        return StreamingResponse(
            chunks, status_code, headers, media_type or "text/html", background=background
        )


_OPTIONS = ("status_code", "headers", "media_type", "background", "stream")


def _arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Request | None, str, Mapping[str, Any] | None, dict[str, Any]]:
    """Sort out both call styles into (request, name, context, options)."""
    args_list = list(args)
    request = kwargs.pop("request", None)
    if args_list and not isinstance(args_list[0], str):
        request = args_list.pop(0)
    name = kwargs.pop("name", None)
    if name is None:
        if not args_list:
            raise TypeError("TemplateResponse() needs a template name")
        name = args_list.pop(0)
    context = kwargs.pop("context", None)
    if context is None and args_list:
        context = args_list.pop(0)
    if len(args_list) > len(_OPTIONS):
        raise TypeError("TemplateResponse() got too many positional arguments")
    options = dict(zip(_OPTIONS, args_list, strict=False))
    unknown = set(kwargs) - set(_OPTIONS)
    if unknown:
        raise TypeError(f"TemplateResponse() got unexpected arguments: {sorted(unknown)}")
    duplicate = set(kwargs) & set(options)
    if duplicate:
        raise TypeError(f"TemplateResponse() got multiple values for {sorted(duplicate)}")
    options.update(kwargs)
    return request, name, context, options
