"""Mistakes in declaring dependencies: each an error when the plan is made, naming where."""

import inspect
from typing import Annotated

import pytest

from altapi_di import DependencyError, Depends, Injector, RequestScope


class Request:
    pass


class WebSocket:
    pass


def make_injector(**options):
    sources = {Request: "request", "request": "request", WebSocket: "websocket"}
    return Injector(sources, **options)


def test_the_class_depends_not_called_is_an_error_naming_the_parameter():
    def handler(user=Depends):
        raise AssertionError

    with pytest.raises(DependencyError, match=r"handler: parameter 'user' .*Depends\(dependency\)"):
        make_injector().plan(handler)

    def annotated(user: Annotated[str, Depends]):
        raise AssertionError

    with pytest.raises(DependencyError, match="annotated: parameter 'user'"):
        make_injector().plan(annotated)


def test_depends_without_a_dependency_on_a_builtin_annotation_is_an_error():
    def handler(x: int = Depends()):
        raise AssertionError

    with pytest.raises(DependencyError, match=r"handler: Depends\(\) on parameter 'x' .*int"):
        make_injector().plan(handler)

    def bare(x=Depends()):
        raise AssertionError

    with pytest.raises(DependencyError, match="no annotation"):
        make_injector().plan(bare)


def test_depends_without_a_dependency_on_a_class_creates_it():
    class Service:
        pass

    def handler(service: Service = Depends()):
        raise AssertionError

    assert make_injector().plan(handler).steps[0].call is Service


@pytest.mark.parametrize("item", [len, Depends, Depends(), None])
def test_route_dependencies_must_be_depends_of_something(item):
    def handler():
        raise AssertionError

    with pytest.raises(DependencyError, match=r"handler: dependencies\[0\] is .*write"):
        make_injector().plan(handler, dependencies=[item])


@pytest.mark.anyio
async def test_route_dependencies_run_first_for_their_effect_and_are_not_passed():
    ran = []

    def audit(request: Request):
        ran.append("audit")

    def handler(x: Annotated[int, Depends(lambda: 3)]):
        raise AssertionError

    plan = make_injector().plan(handler, dependencies=[Depends(audit)])
    assert await plan.solve({"request": Request()}, {}, RequestScope()) == {"x": 3}
    assert ran == ["audit"] and plan.needs == {"request"}


def test_a_source_the_caller_does_not_provide_is_an_error_naming_the_chain():
    def needs_request(request: Request):
        raise AssertionError

    def handler(ws: WebSocket, user=Depends(needs_request)):
        raise AssertionError

    with pytest.raises(DependencyError) as caught:
        make_injector().plan(handler, provides={"websocket"})
    assert "handler -> needs_request: parameter 'request' asks for the request" in str(caught.value)
    assert "available: websocket" in str(caught.value)


@pytest.mark.anyio
async def test_resolve_parameter_is_asked_about_unresolved_parameters_only():
    asked = []

    def resolve(param, where):
        asked.append((param.name, param.annotation, where))
        return ("query", param.name) if param.name != "opt" else None

    def dep(limit: Annotated[int, "meta"]):
        return limit

    def handler(request: Request, id: int, page: int, opt: int = 7, lim=Depends(dep)):
        raise AssertionError

    plan = make_injector(resolve_parameter=resolve).plan(handler, path_params=["id"])
    assert asked == [
        ("page", int, "handler"),
        ("opt", int, "handler"),
        ("limit", Annotated[int, "meta"], "handler -> dep"),  # extras kept
    ]
    assert plan.needs == {"request", ("query", "page"), ("query", "limit")}
    values = {"request": Request(), ("query", "page"): 2, ("query", "limit"): 10}
    kwargs = await plan.solve(values, {"id": 1}, RequestScope())
    assert {k: v for k, v in kwargs.items() if k != "request"} == {"id": 1, "page": 2, "lim": 10}


def test_resolve_parameter_gets_an_inspect_parameter_and_none_falls_back_to_the_error():
    def handler(page: int):
        raise AssertionError

    seen = []

    def resolve(param, where):
        seen.append(isinstance(param, inspect.Parameter))
        return None

    with pytest.raises(DependencyError, match="cannot resolve parameter 'page'"):
        make_injector(resolve_parameter=resolve).plan(handler)
    assert seen == [True]


def test_path_parameters_may_be_annotated():
    class PathMarker:
        pass

    def handler(id: Annotated[int, PathMarker()]):
        raise AssertionError

    plan = make_injector(resolve_parameter=lambda p, w: "never").plan(handler, path_params=["id"])
    assert plan.args == (("id", 1, "id"),)  # PATH, untouched by resolve_parameter
