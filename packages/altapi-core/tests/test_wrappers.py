"""wrap_handler and guard_handler: how decorators such as @cache and @rate_limit hook in."""

from altapi_core import AltAPI, HTTPException, PlainTextResponse, Request
from altapi_core.testclient import TestClient
from altapi_core.wrappers import guard_handler, wrap_handler
from altapi_di import Depends


class Gate:
    """A guard that refuses when ?deny is set and stamps the responses it lets through."""

    def __init__(self, label, asynchronous=False):
        self.label = label
        self.asynchronous = asynchronous
        self.finished = []

    def check(self, request):
        token = f"{self.label}-token"
        if "deny" in request.query_params:
            token = PlainTextResponse(f"denied by {self.label}", status_code=403)
        if self.asynchronous:

            async def later():
                return token

            return later()
        return token

    def finish(self, response, token):
        self.finished.append(token)
        response.headers.append("x-gate", self.label)

    def amend(self, exc, token):
        if isinstance(exc, HTTPException):
            exc.headers = {**(exc.headers or {}), "x-gate": self.label}


def test_wrap_handler_sees_every_request_and_keeps_the_handlers_parameters():
    app = AltAPI()
    seen = []

    async def around(request, call_handler):
        seen.append(request.path)
        response = await call_handler()
        response.headers["x-wrapped"] = "yes"
        return response

    def settings():
        return "cfg"

    async def item(item_id: int, conf=Depends(settings)):
        return PlainTextResponse(f"{item_id} {conf}")

    app.get("/items/{item_id:int}")(wrap_handler(item, around))
    response = TestClient(app).get("/items/3")
    assert (response.text, response.headers["x-wrapped"], seen) == ("3 cfg", "yes", ["/items/3"])


def test_guard_runs_around_the_handler_sync_or_async():
    for asynchronous in (False, True):
        app = AltAPI()
        gate = Gate("a", asynchronous)

        async def page(request: Request):
            return PlainTextResponse("page")

        app.get("/page")(guard_handler(page, gate))
        client = TestClient(app)
        ok = client.get("/page")
        assert (ok.text, ok.headers["x-gate"], gate.finished) == ("page", "a", ["a-token"])
        denied = client.get("/page?deny=1")
        assert (denied.status_code, denied.text) == (403, "denied by a")
        assert gate.finished == ["a-token"]  # not finished: the handler did not run


def test_guard_amends_http_exceptions_and_stacks_outermost_first():
    app = AltAPI()
    inner, outer = Gate("inner"), Gate("outer")

    async def missing():
        raise HTTPException(404, "gone")

    app.get("/missing")(guard_handler(guard_handler(missing, inner), outer))
    response = TestClient(app).get("/missing")
    assert response.status_code == 404
    assert response.headers.get_list("x-gate") == ["inner"]  # amended outer, then inner
    assert TestClient(app).get("/missing?deny=1").text == "denied by outer"


def test_a_single_guard_amends_and_a_failing_check_is_not_amended():
    app = AltAPI()
    gate = Gate("only")

    async def missing():
        raise HTTPException(404, "gone")

    app.get("/missing")(guard_handler(missing, gate))

    class Broken(Gate):
        def check(self, request):
            raise HTTPException(400, "bad check")

        def amend(self, exc, token):
            raise AssertionError("amended although the check failed")

    app.get("/broken")(guard_handler(missing, Broken("broken")))
    client = TestClient(app)
    response = client.get("/missing")
    assert (response.status_code, response.headers.get_list("x-gate")) == (404, ["only"])
    assert client.get("/broken").status_code == 400


def test_guarded_copy_leaves_the_original_unguarded():
    app = AltAPI()

    async def shared():
        return PlainTextResponse("shared")

    app.get("/guarded")(guard_handler(shared, Gate("g")))
    app.get("/open")(shared)
    client = TestClient(app)
    assert client.get("/guarded?deny=1").status_code == 403
    assert client.get("/open?deny=1").text == "shared"


def test_guards_survive_an_outer_wrap_handler():
    app = AltAPI()
    gate = Gate("g")

    async def around(request, call_handler):
        return await call_handler()

    async def page():
        return PlainTextResponse("page")

    app.get("/page")(wrap_handler(guard_handler(page, gate), around))
    assert TestClient(app).get("/page?deny=1").status_code == 403
