"""The binder alone: parameters compiled once, read from a Request, every error listed."""

import dataclasses
import datetime
import enum
import inspect
import subprocess
import sys
import uuid
from decimal import Decimal
from typing import Annotated, Literal, TypedDict

import msgspec
import pytest

from altapi_core.binding import RequestBinder
from altapi_core.fields import describe
from altapi_core.params import Body, Cookie, File, Form, Header, Path, Query
from altapi_core.requests import Request
from altapi_core.uploads import UploadFile
from altapi_core.validation import RequestValidationError

pytestmark = pytest.mark.anyio


def make_request(query=b"", headers=(), body=b"", path_params=None):
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": query,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "path_params": path_params or {},
    }
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def binder_for(func, path_names=("item_id",)):
    parameters = inspect.signature(func, eval_str=True).parameters.values()
    keys = {p.name: describe(p, "handler", path=p.name in path_names) for p in parameters}
    return RequestBinder("POST /test", keys.values()), keys


async def bind(func, **request):
    binder, keys = binder_for(func)
    request = make_request(**request)
    values, path_params = {}, request.path_params
    await binder.read_body(request, values, path_params)
    got = {name: values[f.key] for name, f in keys.items() if f.key in values}
    return got | {name: path_params[name] for name in keys if name in path_params}


async def errors_of(func, **request):
    with pytest.raises(RequestValidationError) as caught:
        await bind(func, **request)
    assert caught.value.status_code == 422
    return caught.value.errors()


async def test_scalars_with_no_marker_are_query_parameters_converted_by_type():
    def handler(q: str, page: int, ratio: float, flag: bool, limit: int = 10): ...

    got = await bind(handler, query=b"q=hi&page=2&ratio=0.5&flag=yes")
    assert got == {"q": "hi", "page": 2, "ratio": 0.5, "flag": True, "limit": 10}


async def test_default_without_marker_is_read_not_ignored():
    def handler(limit: int = 10): ...

    assert await bind(handler, query=b"limit=5") == {"limit": 5}


async def test_every_error_of_the_request_is_listed_with_fastapi_messages():
    def handler(page: int, q: str, tags: list[int] = Query([]), x_n: int | None = Header(None)): ...

    errors = await errors_of(handler, query=b"page=abc&tags=1&tags=x", headers=[("X-N", "k")])
    assert errors == [
        {
            "type": "int_parsing",
            "loc": ["query", "page"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "abc",
        },
        {"type": "missing", "loc": ["query", "q"], "msg": "Field required", "input": None},
        {
            "type": "int_parsing",
            "loc": ["query", "tags", 1],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "x",
        },
        {
            "type": "int_parsing",
            "loc": ["header", "x-n"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "k",
        },
    ]


async def test_constraints_in_annotated_and_as_default():
    def handler(
        page: Annotated[int, Query(ge=1)] = 1,
        size: int = Query(10, gt=0, le=100),
        name: str = Query("abc", min_length=3, max_length=5, pattern="^a"),
    ): ...

    assert await bind(handler) == {"page": 1, "size": 10, "name": "abc"}
    errors = await errors_of(handler, query=b"page=0&size=101&name=b")
    assert [(e["type"], e["msg"], e["input"], e.get("ctx")) for e in errors] == [
        ("greater_than_equal", "Input should be greater than or equal to 1", "0", {"ge": 1}),
        ("less_than_equal", "Input should be less than or equal to 100", "101", {"le": 100}),
        ("string_too_short", "String should have at least 3 characters", "b", {"min_length": 3}),
    ]
    errors = await errors_of(handler, query=b"name=bcd")
    assert errors[0]["type"] == "string_pattern_mismatch"
    assert errors[0]["msg"] == "String should match pattern '^a'"


class Color(enum.Enum):
    red = "red"
    blue = "blue"


async def test_rich_scalars_and_choices():
    def handler(
        when: datetime.datetime,
        day: datetime.date,
        ident: uuid.UUID,
        amount: Decimal,
        color: Color,
        mode: Literal["a", "b"],
    ): ...

    ident = uuid.uuid4()
    query = f"when=2024-01-02T03:04:05Z&day=2024-01-02&ident={ident}&amount=1.50&color=red&mode=b"
    got = await bind(handler, query=query.encode())
    assert got["when"] == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert got["day"] == datetime.date(2024, 1, 2)
    assert (got["ident"], got["amount"], got["color"], got["mode"]) == (
        ident,
        Decimal("1.50"),
        Color.red,
        "b",
    )
    errors = await errors_of(handler, query=b"when=x&day=x&ident=x&amount=x&color=green&mode=c")
    assert [e["type"] for e in errors] == [
        "datetime_from_date_parsing",
        "date_from_datetime_parsing",
        "uuid_parsing",
        "decimal_parsing",
        "enum",
        "literal_error",
    ]
    assert errors[4]["msg"] == "Input should be 'red' or 'blue'"
    assert errors[5]["ctx"] == {"expected": "'a' or 'b'"}


async def test_headers_read_with_dashes_cookies_and_aliases():
    def handler(
        user_agent: str = Header(),
        raw_name: str | None = Header(None, convert_underscores=False),
        session: str = Cookie(),
        q: str = Query(alias="item-query"),
    ): ...

    got = await bind(
        handler,
        query=b"item-query=x",
        headers=[("User-Agent", "ua"), ("raw_name", "r"), ("Cookie", "session=s1; other=2")],
    )
    assert got == {"user_agent": "ua", "raw_name": "r", "session": "s1", "q": "x"}


async def test_path_marker_reads_path_params_with_constraints():
    def handler(item_id: int = Path(ge=1)): ...

    assert await bind(handler, path_params={"item_id": "3"}) == {"item_id": 3}
    errors = await errors_of(handler, path_params={"item_id": "0"})
    assert errors[0]["loc"] == ["path", "item_id"]


class Item(msgspec.Struct):
    name: str
    price: float


class Order(msgspec.Struct):
    items: list[Item]
    note: str = ""


async def test_json_body_into_a_struct():
    def handler(order: Order): ...

    got = await bind(handler, body=b'{"items": [{"name": "a", "price": 1}]}')
    assert got == {"order": Order(items=[Item("a", 1.0)])}


async def test_body_errors_are_all_listed_with_exact_locations():
    def handler(order: Order): ...

    body = b'{"items": [{"name": "a", "price": 1}, {"price": "x"}, {"name": 3, "price": []}]}'
    errors = await errors_of(handler, body=body)
    assert errors == [
        {
            "type": "missing",
            "loc": ["body", "items", 1, "name"],
            "msg": "Field required",
            "input": {"price": "x"},
        },
        {
            "type": "float_parsing",
            "loc": ["body", "items", 1, "price"],
            "msg": "Input should be a valid number, unable to parse string as a number",
            "input": "x",
        },
        {
            "type": "string_type",
            "loc": ["body", "items", 2, "name"],
            "msg": "Input should be a valid string",
            "input": 3,
        },
        {
            "type": "float_type",
            "loc": ["body", "items", 2, "price"],
            "msg": "Input should be a valid number",
            "input": [],
        },
    ]


async def test_malformed_missing_and_non_object_bodies():
    def handler(order: Order): ...

    errors = await errors_of(handler, body=b"{bad")
    assert errors[0]["type"] == "json_invalid" and errors[0]["loc"][0] == "body"
    assert errors[0]["msg"] == "JSON decode error"
    assert await errors_of(handler) == [
        {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    ]
    errors = await errors_of(handler, body=b"[1]")
    assert errors[0]["type"] == "model_attributes_type" and errors[0]["input"] == [1]


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0


class Tag(TypedDict):
    label: str


async def test_dataclass_typeddict_and_several_bodies_are_embedded_by_name():
    def handler(point: Point, tag: Tag, n: Annotated[int, Body()]): ...

    got = await bind(handler, body=b'{"point": {"x": 1}, "tag": {"label": "t"}, "n": 2}')
    assert got == {"point": Point(1), "tag": {"label": "t"}, "n": 2}
    errors = await errors_of(handler, body=b'{"point": {"x": "a"}, "tag": {}}')
    assert [e["loc"] for e in errors] == [
        ["body", "point", "x"],
        ["body", "tag", "label"],
        ["body", "n"],
    ]


async def test_body_embed_reads_one_key():
    def handler(item: Item = Body(embed=True)): ...

    assert await bind(handler, body=b'{"item": {"name": "a", "price": 2}}') == {
        "item": Item("a", 2.0)
    }


async def test_query_and_body_errors_together():
    def handler(page: int, item: Item): ...

    errors = await errors_of(handler, query=b"page=x", body=b'{"name": "a"}')
    assert [e["loc"] for e in errors] == [["query", "page"], ["body", "price"]]


async def test_form_fields_and_uploads():
    def handler(
        name: Annotated[str, Form()],
        age: int = Form(),
        upload: UploadFile = File(),
        raw: bytes = File(),
    ): ...

    boundary = "XyZ"
    parts = []
    for field, value in (("name", "ann"), ("age", "31")):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'
        )
    for field in ("upload", "raw"):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="a.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\nhello {field}\r\n"
        )
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    headers = [("content-type", f"multipart/form-data; boundary={boundary}")]
    binder, keys = binder_for(handler)
    request, values = make_request(body=body, headers=headers), {}
    await binder.read_body(request, values, {})
    got = {name: values[f.key] for name, f in keys.items()}
    assert got["name"] == "ann" and got["age"] == 31 and got["raw"] == b"hello raw"
    assert got["upload"].filename == "a.txt"
    assert await got["upload"].read() == b"hello upload"
    await request.close()


async def test_form_errors_are_located_in_the_body():
    def handler(age: int = Form()): ...

    headers = [("content-type", "application/x-www-form-urlencoded")]
    errors = await errors_of(handler, body=b"age=x", headers=headers)
    assert errors[0]["loc"] == ["body", "age"] and errors[0]["type"] == "int_parsing"
    errors = await errors_of(handler, body=b"", headers=headers)
    assert errors == [
        {"type": "missing", "loc": ["body", "age"], "msg": "Field required", "input": None}
    ]


def test_a_type_that_cannot_be_read_is_an_error_naming_the_route():
    def handler(filters: dict[str, int] = Query()): ...

    with pytest.raises(TypeError, match=r"handler: parameter 'filters'.*query string"):
        binder_for(handler)


def test_a_body_and_form_fields_together_are_refused():
    def handler(item: Item, name: str = Form()): ...

    with pytest.raises(TypeError, match=r"route POST /test: a JSON body and form fields"):
        binder_for(handler)


def test_core_never_imports_pydantic_itself():
    code = "import sys, altapi_core.binding; assert 'pydantic' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_pydantic_body_errors_come_from_pydantic():
    import pydantic  # the optional extra `altapi-core[pydantic]`, installed by the noxfile

    class User(pydantic.BaseModel):
        name: str
        age: int

    def handler(user: User): ...

    got = await bind(handler, body=b'{"name": "a", "age": 3}')
    assert got["user"] == User(name="a", age=3)
    errors = await errors_of(handler, body=b'{"age": "x"}')
    assert [(e["type"], e["loc"]) for e in errors] == [
        ("missing", ["body", "name"]),
        ("int_parsing", ["body", "age"]),
    ]


@pytest.mark.parametrize(
    "query", [b"q=a&page=2", b"page=2", b"q=a&page=x", b"", b"q=&page=-1", b"page=1&page=3"]
)
async def test_the_query_only_fast_path_gives_what_the_general_path_gives(query):
    def handler(q: str = "none", page: int = Query(ge=0)): ...

    outcomes = []
    for fast in (True, False):
        binder, keys = binder_for(handler)
        assert (binder._single_values is not None) is True
        if not fast:
            binder._single_values = None  # what a route with a header parameter too takes
        values = {}
        try:
            binder.read(make_request(query=query), values, {})
            outcomes.append({name: values[f.key] for name, f in keys.items()})
        except RequestValidationError as exc:
            outcomes.append(exc.errors())
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    "body",
    [b'{"name": "a", "price": 2}', b'{"name": "a"}', b"{bad", b"", b'{"name": 1, "price": []}'],
)
async def test_the_one_json_body_fast_path_gives_what_the_general_path_gives(body):
    def handler(item: Item): ...

    outcomes = []
    for fast in (True, False):
        binder, keys = binder_for(handler)
        assert binder.json_only
        binder.json_only = fast  # False: what a route with a query parameter too takes
        request = make_request(body=body, headers=[("content-type", "application/json")])
        values = {}
        try:
            await binder.read_body(request, values, {})
            outcomes.append(values[keys["item"].key])
        except RequestValidationError as exc:
            outcomes.append(exc.errors())
    assert outcomes[0] == outcomes[1]
