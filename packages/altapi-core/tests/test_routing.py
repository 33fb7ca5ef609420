import pytest

from altapi_core import AltAPI, APIRouter, PlainTextResponse
from altapi_core.routing import join_paths
from altapi_core.testclient import TestClient
from altapi_di import Depends


@pytest.mark.parametrize(
    ("prefix", "path", "joined"),
    [
        ("", "/a", "/a"),
        ("/api", "/users", "/api/users"),
        ("/api/", "/users", "/api/users"),
        ("/api", "/", "/api/"),
        ("/api", "", "/api"),
    ],
)
def test_join_paths_never_doubles_or_drops_a_slash(prefix, path, joined):
    assert join_paths(prefix, path) == joined


def test_router_routes_are_included_under_prefixes_and_nest():
    users = APIRouter(prefix="/users")
    users.get("/{id:int}", name="user")(lambda id: PlainTextResponse(f"user {id}"))
    api = APIRouter(prefix="/api")
    api.include_router(users)
    api.get("/health")(lambda: PlainTextResponse("ok"))
    app = AltAPI()
    app.include_router(api, prefix="/v1")
    client = TestClient(app)
    assert client.get("/v1/api/users/3").text == "user 3"
    assert client.get("/v1/api/health").text == "ok"
    assert app.url_path_for("user", id=9) == "/v1/api/users/9"


def test_router_and_route_dependencies_run_for_their_effect():
    calls = []

    def audit():
        calls.append("router")

    def check():
        calls.append("route")

    router = APIRouter(dependencies=[Depends(audit)])

    @router.get("/x", dependencies=[Depends(check)])
    async def handler():
        return PlainTextResponse("done")

    app = AltAPI()
    app.include_router(router)
    assert TestClient(app).get("/x").text == "done"
    assert calls == ["router", "route"]


def test_route_name_defaults_to_the_function_name():
    app = AltAPI()

    @app.get("/about")
    async def about_page():
        return PlainTextResponse("")

    assert app.url_path_for("about_page") == "/about"


def test_router_prefix_must_be_well_formed():
    with pytest.raises(ValueError):
        APIRouter(prefix="api")
    with pytest.raises(ValueError):
        APIRouter(prefix="/api/")


def test_route_path_must_start_with_a_slash():
    with pytest.raises(ValueError, match="must start with"):
        AltAPI().get("users")(lambda: PlainTextResponse(""))


def test_methods_must_be_a_list():
    with pytest.raises(TypeError, match="list"):
        AltAPI().route("/", methods="GET")(lambda: PlainTextResponse(""))  # type: ignore[arg-type]
