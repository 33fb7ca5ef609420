"""`OpenAPI`: the extension that builds an app's document and serves it with its pages.

`altapi.AltAPI(title=..., version=..., docs_url=...)` attaches it; with
`altapi_core.AltAPI`, `app.add_extension(OpenAPI(title="Notes"))`. Each URL given
as None is not served (no `openapi_url`: no pages either). The document is built
on first use (`app.openapi()` or the first request for it) and kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from altapi_core.jsonencoder import encode_json
from altapi_core.responses import Response

from .document import build_document
from .pages import asset_response, oauth2_redirect_page, redoc_page, swagger_page

__all__ = ["OpenAPI"]


class OpenAPI:
    """`app.extensions["openapi"]`: what the document says of the app, and where it is served."""

    name = "openapi"

    def __init__(
        self,
        title: str = "AltAPI",
        version: str = "0.1.0",
        description: str = "",
        *,
        openapi_url: str | None = "/openapi.json",
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        openapi_tags: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        self.title = title
        self.version = version
        self.description = description
        self.openapi_url = openapi_url
        self.docs_url = docs_url
        self.redoc_url = redoc_url
        self.tags = [dict(tag) for tag in openapi_tags or ()]
        self._document: dict[str, Any] | None = None
        self._encoded: bytes | None = None

    def document(self, app: Any) -> dict[str, Any]:
        """The app's OpenAPI document, built on first use from its routes."""
        if self._document is None:
            self._document = build_document(app, self)
        return self._document

    def setup(self, app: Any) -> None:
        """Register the routes that serve the document and the pages."""
        if self.openapi_url is None:
            return
        openapi_url = self.openapi_url
        hidden = {"include_in_schema": False}

        @app.get(openapi_url, name="openapi", **hidden)
        async def openapi_document() -> Response:
            if self._encoded is None:
                self._encoded = encode_json(self.document(app))
            return Response(self._encoded, media_type="application/json")

        if self.docs_url is not None:
            docs_url = self.docs_url.rstrip("/")
            title = self.title

            @app.get(self.docs_url, name="swagger_ui", **hidden)
            async def swagger_ui() -> Response:
                return swagger_page(title, openapi_url, docs_url)

            @app.get(f"{docs_url}/oauth2-redirect", name="swagger_ui_redirect", **hidden)
            async def swagger_ui_redirect() -> Response:
                return oauth2_redirect_page(docs_url)

            @app.get(f"{docs_url}/{{asset}}", name="swagger_ui_asset", **hidden)
            async def swagger_ui_asset(asset: str) -> Response:
                return asset_response("swagger-ui", asset)

        if self.redoc_url is not None:
            redoc_url = self.redoc_url.rstrip("/")

            @app.get(self.redoc_url, name="redoc", **hidden)
            async def redoc() -> Response:
                return redoc_page(self.title, openapi_url, redoc_url)

            @app.get(f"{redoc_url}/{{asset}}", name="redoc_asset", **hidden)
            async def redoc_asset(asset: str) -> Response:
                return asset_response("redoc", asset, redoc_url)
