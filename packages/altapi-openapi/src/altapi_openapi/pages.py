"""Swagger UI and ReDoc pages, and the bundled files they load, served from this package."""

from __future__ import annotations

import functools
import html
import json
from importlib.resources import files

from altapi_core.exceptions import HTTPException
from altapi_core.responses import HTMLResponse, Response

__all__ = ["ASSETS", "asset_response", "redoc_page", "swagger_page"]

# The files a page may load: (folder under static/, name) -> media type.
ASSETS: dict[tuple[str, str], str] = {
    ("swagger-ui", "swagger-ui-bundle.js"): "text/javascript",
    ("swagger-ui", "swagger-ui.css"): "text/css",
    ("swagger-ui", "oauth2-redirect.js"): "text/javascript",
    ("swagger-ui", "favicon-32x32.png"): "image/png",
    ("redoc", "redoc.standalone.js"): "text/javascript",
    ("redoc", "logo-mini.svg"): "image/svg+xml",
}

# ReDoc's sidebar shows Redocly's logo from their CDN; the bundle is served with that
# address pointing at this small local stand-in instead, so nothing leaves the app.
_REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">'
    b'<circle cx="8" cy="8" r="7" fill="#32329f"/></svg>'
)


@functools.cache
def _asset_bytes(folder: str, name: str) -> bytes:
    return (files("altapi_openapi") / "static" / folder / name).read_bytes()


@functools.cache
def _served_bytes(folder: str, name: str, prefix: str) -> bytes:
    if (folder, name) == ("redoc", "logo-mini.svg"):
        return _LOGO
    content = _asset_bytes(folder, name)
    if (folder, name) == ("redoc", "redoc.standalone.js"):
        content = content.replace(_REDOC_CDN_LOGO, f"{prefix}/logo-mini.svg".encode())
    return content


def asset_response(folder: str, name: str, prefix: str = "") -> Response:
    """A bundled file; `prefix` is the URL the files are served under (e.g. /redoc)."""
    media_type = ASSETS.get((folder, name))
    if media_type is None:
        raise HTTPException(404)
    return Response(
        _served_bytes(folder, name, prefix),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )


def swagger_page(title: str, openapi_url: str, assets_url: str) -> HTMLResponse:
    config = {
        "url": openapi_url,
        "dom_id": "#swagger-ui",
        "deepLinking": True,
        "layout": "BaseLayout",
        "validatorUrl": None,
        "oauth2RedirectUrl": f"{assets_url}/oauth2-redirect",
    }
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - Swagger UI</title>
<link rel="icon" type="image/png" href="{assets_url}/favicon-32x32.png">
<link rel="stylesheet" href="{assets_url}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets_url}/swagger-ui-bundle.js"></script>
<script>
const config = {json.dumps(config)};
config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
window.ui = SwaggerUIBundle(config);
</script>
</body>
</html>"""
    return HTMLResponse(page)


def oauth2_redirect_page(assets_url: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><body>'
        f'<script src="{assets_url}/oauth2-redirect.js"></script></body></html>'
    )


def redoc_page(title: str, openapi_url: str, assets_url: str) -> HTMLResponse:
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - ReDoc</title>
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<redoc spec-url="{html.escape(openapi_url)}"></redoc>
<script src="{assets_url}/redoc.standalone.js"></script>
</body>
</html>"""
    return HTMLResponse(page)
