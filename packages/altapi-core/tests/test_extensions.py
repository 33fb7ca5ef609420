"""Extensions: attached by name, set up at once, started and shut down with the app."""

import pytest

from altapi_core import AltAPI, PlainTextResponse
from altapi_core.testclient import TestClient


class Recorder:
    def __init__(self, name, log, *, async_hooks=False):
        self.name = name
        self.log = log
        self.app = None
        if async_hooks:
            self.startup = self._astartup
            self.shutdown = self._ashutdown

    def setup(self, app):
        self.app = app
        self.log.append(f"setup {self.name}")

    def startup(self):
        self.log.append(f"start {self.name}")

    def shutdown(self):
        self.log.append(f"stop {self.name}")

    async def _astartup(self):
        self.log.append(f"start {self.name}")

    async def _ashutdown(self):
        self.log.append(f"stop {self.name}")


def test_extensions_start_before_startup_hooks_and_stop_after_shutdown_hooks():
    log = []
    first, second = Recorder("one", log), Recorder("two", log, async_hooks=True)
    app = AltAPI(
        extensions=[first],
        on_startup=[lambda: log.append("on_startup")],
        on_shutdown=[lambda: log.append("on_shutdown")],
    )
    assert app.add_extension(second) is second
    assert first.app is app and app.extensions == {"one": first, "two": second}
    with TestClient(app):
        log.append("serving")
    assert log == [
        "setup one",
        "setup two",
        "start one",
        "start two",
        "on_startup",
        "serving",
        "on_shutdown",
        "stop two",
        "stop one",
    ]


def test_an_extension_needs_only_a_name():
    class Settings:
        name = "settings"
        colour = "blue"

    app = AltAPI(extensions=[Settings()])
    with TestClient(app):
        assert app.extensions["settings"].colour == "blue"


def test_attaching_the_same_extension_twice_is_a_no_op():
    log = []
    extension = Recorder("one", log)
    app = AltAPI(extensions=[extension])
    app.add_extension(extension)
    assert log == ["setup one"]


def test_another_extension_under_a_taken_name_is_an_error():
    app = AltAPI(extensions=[Recorder("cache", [])])
    with pytest.raises(ValueError, match="'cache' is already attached"):
        app.add_extension(Recorder("cache", []))


@pytest.mark.parametrize("name", [None, "", 3])
def test_an_extension_without_a_name_is_an_error(name):
    class Nameless:
        pass

    extension = Nameless()
    if name is not None:
        extension.name = name
    with pytest.raises(TypeError, match="needs a `name`"):
        AltAPI(extensions=[extension])


def test_attaching_after_the_app_has_started_is_an_error():
    app = AltAPI()
    app.get("/")(lambda: PlainTextResponse("ok"))
    assert TestClient(app).get("/").text == "ok"
    with pytest.raises(RuntimeError, match="cannot attach an extension after"):
        app.add_extension(Recorder("late", []))


def test_a_failed_start_shuts_down_what_had_started():
    log = []

    class Broken(Recorder):
        def startup(self):
            raise RuntimeError("no database")

    app = AltAPI(extensions=[Recorder("one", log), Broken("two", log), Recorder("three", log)])
    with pytest.raises(RuntimeError, match="no database"), TestClient(app):
        pass
    assert log == ["setup one", "setup two", "setup three", "start one", "stop one"]


def test_a_guard_attaches_to_the_app_when_its_route_is_registered():
    class CountingGuard:
        def __init__(self):
            self.apps = []

        def attach(self, app):
            self.apps.append(app)

        def check(self, request):
            return None

        def finish(self, response, token):
            pass

        def amend(self, exc, token):
            pass

    guard = CountingGuard()

    async def handler():
        return PlainTextResponse("ok")

    async def socket(websocket):
        await websocket.accept()

    app = AltAPI()
    app.get("/a", guards=[guard])(handler)
    app.websocket("/b", guards=[guard])(socket)
    assert guard.apps == [app, app]  # once per route, before any request
    assert TestClient(app).get("/a").text == "ok"
    assert guard.apps == [app, app]
