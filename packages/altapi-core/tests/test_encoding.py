"""Return values as JSON responses; status_code; response_model validation and filtering."""

import dataclasses
import datetime
import enum
import json
import uuid
from collections import deque
from decimal import Decimal
from types import MappingProxyType

import msgspec
import pydantic
import pytest

from altapi_core.datastructures import URL
from altapi_core.encoding import ResultEncoder
from altapi_core.responses import PlainTextResponse


class Color(enum.Enum):
    red = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Item(msgspec.Struct):
    name: str
    price: float


class User(pydantic.BaseModel):
    name: str
    age: int


def sent(result, **options):
    response = ResultEncoder(**options)(result)
    return response, json.loads(response.body) if response.body else None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": 1}, {"a": 1}),
        ([1, "two"], [1, "two"]),
        ((1, 2), [1, 2]),
        ("text", "text"),
        (3, 3),
        (1.5, 1.5),
        (True, True),
        (None, None),
        (Point(1, 2), {"x": 1, "y": 2}),
        (Item("a", 2.0), {"name": "a", "price": 2.0}),
        (User(name="u", age=3), {"name": "u", "age": 3}),
        (datetime.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05"),
        (datetime.date(2024, 1, 2), "2024-01-02"),
        (datetime.time(3, 4), "03:04:00"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (Decimal("1.5"), 1.5),
        (Color.red, "red"),
        ({3}, [3]),
        (URL("http://x/a"), "http://x/a"),
        (deque([1, 2]), [1, 2]),
        (MappingProxyType({"k": 1}), {"k": 1}),
        ({"when": [datetime.date(2024, 1, 1)], "user": User(name="n", age=1)}, None),
    ],
)
def test_every_value_api_md_lists_is_sent_as_json(value, expected):
    response, body = sent(value)
    assert response.status_code == 200
    assert response.media_type == "application/json"
    if expected is not None or value is None:
        assert body == expected
    else:
        assert body == {"when": ["2024-01-01"], "user": {"name": "n", "age": 1}}


def test_a_response_is_sent_as_it_is():
    response = PlainTextResponse("hi", status_code=202)
    assert ResultEncoder(status_code=201)(response) is response


def test_status_code_and_204_without_body():
    response, body = sent({"ok": True}, status_code=201)
    assert response.status_code == 201 and body == {"ok": True}
    response, body = sent({"ignored": True}, status_code=204)
    assert response.status_code == 204 and response.body == b""
    assert b"content-length" not in dict(response.raw_headers)


def test_an_unencodable_value_is_an_error():
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        sent(object())


def test_response_model_filters_fields_of_dicts_and_objects():
    class Public(msgspec.Struct):
        name: str

    @dataclasses.dataclass
    class Account:
        name: str
        password: str

    assert sent({"name": "a", "password": "x"}, response_model=Public)[1] == {"name": "a"}
    assert sent(Account("b", "x"), response_model=Public)[1] == {"name": "b"}
    assert sent([{"name": "c", "password": "x"}], response_model=list[Public])[1] == [{"name": "c"}]


def test_response_model_validates():
    with pytest.raises(msgspec.ValidationError):
        sent({"name": "a", "price": "not a number"}, response_model=Item)


def test_pydantic_response_model_filters_and_validates():
    class Secret(User):
        password: str

    assert sent(Secret(name="a", age=1, password="p"), response_model=User)[1] == {
        "name": "a",
        "age": 1,
    }
    assert sent([{"name": "b", "age": "2", "x": 1}], response_model=list[User])[1] == [
        {"name": "b", "age": 2}
    ]
    with pytest.raises(pydantic.ValidationError):
        sent({"name": "a"}, response_model=User)
