"""How the add-on attaches to an app: the document builder and the routes that serve it.

Called once per app (core finds it through the `altapi.addons` entry point).
Each URL the app gives as None is not served; the document is built on first use
(`app.openapi()` or the first request for it) and kept.
"""

from __future__ import annotations

from typing import Any

from altapi_core.jsonencoder import encode_json
from altapi_core.responses import Response

from .document import build_document
from .pages import asset_response, oauth2_redirect_page, redoc_page, swagger_page

__all__ = ["attach"]


def attach(app: Any) -> None:
    app.openapi_builder = build_document
    openapi_url = app.openapi_url
    if openapi_url is None:
        return
    hidden = {"include_in_schema": False}
    served: list[bytes] = []  # the encoded document, once built

    @app.get(openapi_url, name="openapi", **hidden)
    async def openapi_document() -> Response:
        if not served:
            served.append(encode_json(app.openapi()))
        return Response(served[0], media_type="application/json")

    if app.docs_url is not None:
        docs_url = app.docs_url.rstrip("/")

        @app.get(app.docs_url, name="swagger_ui", **hidden)
        async def swagger_ui() -> Response:
            return swagger_page(app.title, openapi_url, docs_url)

        @app.get(f"{docs_url}/oauth2-redirect", name="swagger_ui_redirect", **hidden)
        async def swagger_ui_redirect() -> Response:
            return oauth2_redirect_page(docs_url)

        @app.get(f"{docs_url}/{{asset}}", name="swagger_ui_asset", **hidden)
        async def swagger_ui_asset(asset: str) -> Response:
            return asset_response("swagger-ui", asset)

    if app.redoc_url is not None:
        redoc_url = app.redoc_url.rstrip("/")

        @app.get(app.redoc_url, name="redoc", **hidden)
        async def redoc() -> Response:
            return redoc_page(app.title, openapi_url, redoc_url)

        @app.get(f"{redoc_url}/{{asset}}", name="redoc_asset", **hidden)
        async def redoc_asset(asset: str) -> Response:
            return asset_response("redoc", asset)
