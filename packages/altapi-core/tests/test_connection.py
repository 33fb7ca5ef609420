"""HTTPConnection: the views a Request and a WebSocket share."""

from altapi_core import HTTPConnection, Request, WebSocket
from altapi_core.datastructures import Address


def scope(kind):
    return {
        "type": kind,
        "scheme": "http" if kind == "http" else "ws",
        "method": "GET",
        "path": "/items/3",
        "root_path": "",
        "query_string": b"a=1&a=2",
        "headers": [(b"host", b"example.org"), (b"cookie", b"session=abc; theme=dark")],
        "client": ("10.0.0.1", 5000),
        "server": ("example.org", 80),
        "path_params": {"id": 3},
    }


def test_request_and_websocket_share_the_connection_views():
    for connection in (Request(scope("http")), WebSocket(scope("websocket"), None, None)):
        assert isinstance(connection, HTTPConnection)
        assert connection.url.path == "/items/3"
        assert connection.headers["host"] == "example.org"
        assert connection.query_params.getlist("a") == ["1", "2"]
        assert connection.path_params == {"id": 3}
        assert connection.cookies == {"session": "abc", "theme": "dark"}
        assert connection.client == Address("10.0.0.1", 5000)
        connection.state.user = "ann"
        assert connection.scope["state"] == {"user": "ann"}
