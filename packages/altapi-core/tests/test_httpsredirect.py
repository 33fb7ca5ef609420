import pytest

from altapi_core import AltAPI, Middleware, PlainTextResponse, WebSocket
from altapi_core.middleware import HTTPSRedirectMiddleware
from altapi_core.testclient import TestClient, WebSocketDenialResponse


def make_app(**options):
    app = AltAPI(middleware=[Middleware(HTTPSRedirectMiddleware, **options)])

    @app.get("/page")
    async def page(request):
        return PlainTextResponse(request.url.scheme)

    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()

    return app


def test_http_is_redirected_to_https_keeping_path_and_query():
    response = TestClient(make_app()).get("/page?x=1", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "https://testserver/page?x=1"


def test_status_code_is_configurable_and_https_passes():
    response = TestClient(make_app(status_code=308)).get("/page", follow_redirects=False)
    assert response.status_code == 308
    secure = TestClient(make_app(), base_url="https://testserver")
    assert secure.get("/page").text == "https"


def test_ws_is_sent_to_wss():
    # TestClient offers the websocket.http.response extension, so the redirect is an HTTP answer.
    with (
        pytest.raises(WebSocketDenialResponse) as info,
        TestClient(make_app()).websocket_connect("/ws"),
    ):
        pass
    assert info.value.status_code == 307
    assert (b"location", b"wss://testserver/ws") in info.value.headers
