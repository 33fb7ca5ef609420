"""Planning: what each parameter gets, and the errors found at registration."""

from typing import Annotated

import pytest

from altapi_di import DependencyError, Depends, Injector, RequestScope


class Request:
    pass


def make_injector():
    return Injector({Request: "request", "request": "request"})


pytestmark = pytest.mark.anyio


async def solve(plan, values=None, path=None, scope=None):
    return await plan.solve(values or {}, path or {}, scope or RequestScope())


async def test_request_by_annotation_or_name_and_path_params():
    def handler(req: Request, request, id: int, page: int = 1):
        raise AssertionError

    plan = make_injector().plan(handler, path_params=["id"])
    req = Request()
    assert plan.needs == {"request"}
    assert not plan.has_dependencies
    assert await solve(plan, {"request": req}, {"id": 5}) == {"req": req, "request": req, "id": 5}


async def test_nested_dependencies_any_depth_and_each_runs_once():
    calls = []

    def root(request: Request):
        calls.append("root")
        return "r"

    def middle(r=Depends(root)):
        calls.append("middle")
        return r + "m"

    async def top(m=Depends(middle), r=Depends(root)):
        calls.append("top")
        return m + r

    def handler(a=Depends(top), b=Depends(middle)):
        raise AssertionError

    plan = make_injector().plan(handler)
    kwargs = await solve(plan, {"request": Request()})
    assert kwargs == {"a": "rmr", "b": "rm"}
    assert calls == ["root", "middle", "top"]
    assert plan.needs == {"request"}


async def test_use_cache_false_runs_again():
    count = iter(range(10))

    def counter():
        return next(count)

    def handler(a=Depends(counter), b=Depends(counter, use_cache=False)):
        raise AssertionError

    assert await solve(make_injector().plan(handler)) == {"a": 0, "b": 1}


async def test_annotated_depends_and_class_dependencies():
    class Settings:
        def __init__(self, request: Request):
            self.request = request

    def handler(s: Annotated[Settings, Depends()], t: Settings = Depends(Settings)):
        raise AssertionError

    req = Request()
    kwargs = await solve(make_injector().plan(handler), {"request": req})
    assert isinstance(kwargs["s"], Settings) and kwargs["s"] is kwargs["t"]
    assert kwargs["s"].request is req


def test_cycle_is_an_error_naming_the_chain():
    def b(y=None):
        pass

    def c(z=Depends(b)):
        pass

    b.__defaults__ = (Depends(c),)

    def handler(v=Depends(b)):
        pass

    with pytest.raises(DependencyError, match="dependency cycle: handler -> b -> c -> b"):
        make_injector().plan(handler)


def test_unresolvable_parameter_is_an_error_naming_the_chain():
    def needs_user(user_id):
        pass

    def handler(u=Depends(needs_user)):
        pass

    with pytest.raises(DependencyError, match=r"handler -> needs_user: cannot resolve .*'user_id'"):
        make_injector().plan(handler)


async def test_first_param_gets_the_given_source():
    def ws_handler(socket, room: str):
        raise AssertionError

    injector = Injector({"websocket": "websocket"})
    plan = injector.plan(ws_handler, path_params=["room"], first_param="websocket")
    assert await solve(plan, {"websocket": "WS"}, {"room": "a"}) == {"socket": "WS", "room": "a"}


async def test_overrides_apply_after_planning_and_can_be_removed():
    def real():
        return "real"

    def handler(v=Depends(real)):
        raise AssertionError

    injector = make_injector()
    plan = injector.plan(handler)
    injector.overrides[real] = lambda: "fake"
    assert await solve(plan) == {"v": "fake"}
    injector.overrides.clear()
    assert await solve(plan) == {"v": "real"}


def test_depends_rejects_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        Depends(42)
    with pytest.raises(ValueError, match="'request' or 'app'"):
        Depends(print, scope="session")


async def test_invoke_solves_and_awaits_an_async_callable():
    def root(request: Request):
        yield "r"

    async def top(r=Depends(root)):
        return r + "t"

    async def handler(request, t=Depends(top), r=Depends(root)):
        return (request, t, r)

    plan = make_injector().plan(handler)
    req = Request()
    scope = RequestScope()
    assert await plan.invoke({"request": req}, {}, scope) == (req, "rt", "r")
    assert len(scope) == 1  # the generator, left open for the caller to close
    sync = make_injector().plan(lambda request: None)
    assert not sync.calls_async
    with pytest.raises(TypeError, match="not async"):
        sync.invoke({"request": req}, {}, scope)
