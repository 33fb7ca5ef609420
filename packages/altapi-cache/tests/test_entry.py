import pytest

from altapi_cache.entry import CachedResponse, VaryIndex, dumps, loads


def test_cached_response_round_trips_through_bytes():
    entry = CachedResponse(
        203,
        [(b"content-type", b"text/plain"), (b"x-\xe9", b"caf\xe9")],
        b"\x00binary\xff",
        1234.5,
        ("accept-language",),
    )
    assert loads(dumps(entry)) == entry


@pytest.mark.parametrize("value", [VaryIndex(("accept", "cookie")), b"raw\x00", {"a": [1, 2]}, "s"])
def test_other_values_round_trip(value):
    assert loads(dumps(value)) == value


def test_foreign_bytes_are_refused():
    with pytest.raises(ValueError, match="not a value written by"):
        loads(b"\x80\x04pickle")


def test_size_counts_body_and_headers():
    entry = CachedResponse(200, [(b"a", b"bc")], b"x" * 100, 0.0)
    assert entry.nbytes == 100 + 3 + 64
