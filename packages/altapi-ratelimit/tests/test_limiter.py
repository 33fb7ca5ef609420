"""RateLimiter.hit in one process: the sliding window, batches, a full table, the file."""

import importlib
import math
import multiprocessing
import os
import random
import signal
import struct

import pytest

from altapi_core import PlainTextResponse
from altapi_ratelimit import Decision, RateLimiter, _compat
from altapi_ratelimit._naming import sweep
from altapi_ratelimit._table import HEADER_SIZE, MAGIC, Table, key_hash
from altapi_ratelimit.decorators import Guard

MODULES = {"py": "altapi_ratelimit._table", "c": "altapi_ratelimit._ctable"}  # as conftest
IMPLEMENTATIONS = ["py"] if os.environ.get("ALTAPI_NO_EXTENSIONS") else ["py", "c"]


def test_admits_limit_then_refuses_with_retry_after(make_limiter, clock):
    limiter = make_limiter(3, 10)
    decisions = [limiter.hit("k") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert all(d.limit == 3 for d in decisions)
    assert decisions[3].retry_after == pytest.approx(10)
    assert decisions[3].reset == pytest.approx(clock.now + 10)
    assert decisions[0].retry_after == 0


def test_keys_are_counted_apart(make_limiter):
    limiter = make_limiter(1, 10)
    assert limiter.hit("a").allowed
    assert limiter.hit("b").allowed
    assert not limiter.hit("a").allowed
    assert limiter.hit(b"c").allowed


def test_window_slides_one_admission_at_a_time(make_limiter, clock):
    limiter = make_limiter(2, 10)
    assert limiter.hit("k").allowed  # t=0
    clock.advance(4)
    assert limiter.hit("k").allowed  # t=4
    clock.advance(5.9)
    refused = limiter.hit("k")  # t=9.9: both still in the window
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(0.1)
    clock.advance(0.1)
    assert limiter.hit("k").allowed  # t=10: the first left the window
    assert not limiter.hit("k").allowed
    clock.advance(3.9)
    assert not limiter.hit("k").allowed  # t=13.9: 4 and 10 are in (3.9, 13.9]
    clock.advance(0.1)
    assert limiter.hit("k").allowed  # t=14


def test_no_double_burst_at_a_boundary(make_limiter, clock):
    """Fixed buckets would admit `limit` at the end of one and `limit` at the start of the next."""
    limiter = make_limiter(5, 60)
    clock.advance(59.9)
    assert all(limiter.hit("k").allowed for _ in range(5))
    clock.advance(0.2)
    assert not any(limiter.hit("k").allowed for _ in range(5))


@pytest.mark.parametrize("seed", range(8))
def test_random_arrivals_match_the_exact_sliding_window(make_limiter, clock, seed):
    """Property: admitted iff fewer than `limit` admissions in (now - period, now]."""
    rng = random.Random(seed)
    limit, period = rng.randint(1, 6), rng.choice([1.0, 2.5, 10.0])
    limiter = make_limiter(limit, period)
    admitted: list[float] = []
    for _ in range(400):
        clock.advance(rng.choice([0.0, 0.01, 0.1, 0.3, period / 3, period]))
        in_window = sum(1 for t in admitted if t > clock.now - period)
        decision = limiter.hit("k")
        assert decision.allowed == (in_window < limit)
        if decision.allowed:
            admitted.append(clock.now)
            assert decision.remaining == limit - in_window - 1
    assert len(admitted) > limit
    # and so no window of `period` seconds holds more than `limit` admissions
    for i, start in enumerate(admitted):
        assert sum(1 for t in admitted[i:] if t < start + period) <= limit


def test_reset_is_when_the_oldest_admission_leaves_the_window(make_limiter, clock):
    limiter = make_limiter(3, 10)
    limiter.hit("k")
    clock.advance(2)
    decision = limiter.hit("k")
    assert decision.reset == pytest.approx(clock.now - 2 + 10)
    assert decision.headers()["X-RateLimit-Reset"] == str(math.ceil(clock.now + 8))


def test_a_clock_stepping_back_cannot_reorder_the_window(make_limiter, clock):
    limiter = make_limiter(2, 10)
    assert limiter.hit("k").allowed
    clock.advance(-100)
    assert limiter.hit("k").allowed
    assert not limiter.hit("k").allowed


def test_batch_admits_only_when_every_rule_admits(make_limiter, clock):
    limiter = make_limiter(rules=[(2, 1), (3, 60)])
    assert limiter.hit("k").allowed
    assert limiter.hit("k").allowed
    refused = limiter.hit("k")  # the 2-per-second rule refuses
    assert not refused.allowed and refused.limit == 2
    clock.advance(1)
    allowed = limiter.hit("k")
    assert allowed.allowed
    assert (allowed.limit, allowed.remaining) == (3, 0)  # reports the rule closest to refusing
    clock.advance(1)
    refused = limiter.hit("k")  # now the 3-per-minute rule refuses, for 58 more seconds
    assert not refused.allowed
    assert (refused.limit, refused.retry_after) == (3, pytest.approx(58))


def test_a_refused_batch_request_consumes_no_rule(make_limiter, clock):
    limiter = make_limiter(rules=[(1, 10), (5, 100)])
    assert limiter.hit("k").allowed
    for _ in range(20):  # refused by the first rule; must not eat the second
        assert not limiter.hit("k").allowed
    for _ in range(4):
        clock.advance(10)
        assert limiter.hit("k").allowed
    clock.advance(10)
    refused = limiter.hit("k")
    assert not refused.allowed and refused.limit == 5


def test_full_table_fails_open_when_configured(make_limiter):
    limiter = make_limiter(1, 10, slots=2, when_full="open")
    assert limiter.hit("a").allowed and limiter.hit("b").allowed
    assert all(limiter.hit("c").allowed for _ in range(3))  # not tracked, admitted
    assert not limiter.hit("a").allowed  # tracked keys keep their counts


def test_full_table_fails_closed_when_configured(make_limiter, clock):
    limiter = make_limiter(1, 10, slots=2, when_full="closed")
    assert limiter.hit("a").allowed
    clock.advance(4)
    assert limiter.hit("b").allowed
    refused = limiter.hit("c")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(6)  # when a's slot expires
    clock.advance(6)
    assert limiter.hit("c").allowed  # a's expired slot is reused


def _slot_keys(limiter):
    table = limiter._table
    data = os.pread(table.fd, table.size, 0)  # the file, whichever table maps it
    words = struct.unpack_from(f"<{table.size // 8}Q", data)
    return [words[HEADER_SIZE // 8 + i * table.slot_words] for i in range(table.slots)]


def test_the_oldest_expired_slot_is_evicted_first(make_limiter, clock):
    limiter = make_limiter(1, 10, slots=3)
    for key in ("a", "b", "c"):
        limiter.hit(key)
        clock.advance(1)
    clock.advance(20)  # all three expired; a is the oldest
    before = _slot_keys(limiter)
    limiter.hit("d")
    after = _slot_keys(limiter)
    replaced = [i for i in range(3) if before[i] != after[i]]
    assert len(replaced) == 1
    assert before[replaced[0]] == key_hash("a")[0]
    assert after[replaced[0]] == key_hash("d")[0]


def test_a_hot_key_stays_exact_while_cold_keys_churn_a_small_table(make_limiter, clock):
    limiter = make_limiter(2, 1, slots=16, max_probe=4, when_full="closed")
    hot_admitted = []
    cold_outcomes = set()
    for i in range(3000):
        clock.advance(0.01)
        if i % 2:
            if limiter.hit("hot").allowed:
                hot_admitted.append(clock.now)
        else:
            cold_outcomes.add(limiter.hit(f"cold-{i}").allowed)
    assert cold_outcomes == {True, False}  # some cold keys found no slot
    assert len(hot_admitted) >= 2 * 29
    for i, start in enumerate(hot_admitted):
        assert sum(1 for t in hot_admitted[i:] if t < start + 1) <= 2


def test_the_table_file_has_the_documented_header(make_limiter, impl):
    limiter = make_limiter(3, 10, slots=8)
    limiter.hit("k")
    with open(limiter.path, "rb") as file:
        header = file.read(HEADER_SIZE)
    magic, version, size, slots, words, rules, owner = struct.unpack_from("<8sIIIIII", header)
    version_of = {"py": 1, "c": 2}  # the locking protocol: lockf, or the lock word
    assert (magic, version, size, slots, rules) == (MAGIC, version_of[impl], HEADER_SIZE, 8, 1)
    assert words == 3 + 2 + 3
    assert os.path.getsize(limiter.path) == HEADER_SIZE + 8 * words * 8
    assert owner == 0  # an explicit namespace has no owner process


def test_closing_the_last_user_removes_the_file(namespace, clock):
    first = RateLimiter(2, 10, name="shared", namespace=namespace, clock=clock)
    first.hit("k")
    path = first.path
    assert os.path.exists(path)
    first.close()
    assert not os.path.exists(path)


def test_a_table_with_another_layout_in_use_is_refused(namespace, table_class):
    a = RateLimiter(2, 10, namespace=namespace)
    a.hit("k")
    try:
        with pytest.raises(RuntimeError, match="another layout"):
            table_class(a.path, [(5, 10.0)], 4096, 32)
    finally:
        a.close()


def _open_and_die(path, table_class=Table):
    table_class(path, [(2, 10.0)], 4096, 32)
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_stale_table_left_by_a_killed_process_is_reset(namespace, table_class):
    path = f"/dev/shm/altapi-rl-test-{namespace}"
    child = multiprocessing.get_context("fork").Process(
        target=_open_and_die, args=(path, table_class)
    )
    child.start()
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    assert os.path.getsize(path) == 64 + 4096 * (3 + 2 + 2) * 8
    fresh = table_class(path, [(5, 10.0)], 16, 4)  # another layout: only possible once unused
    try:
        assert os.path.getsize(path) == fresh.size
        assert fresh.hit(*key_hash("k"), 1.0)[0] is True
    finally:
        fresh.close()
    assert not os.path.exists(path)


def test_sweep_removes_tables_whose_owner_died(namespace, table_class):
    path = f"/dev/shm/altapi-rl-test-{namespace}"
    child = multiprocessing.get_context("fork").Process(
        target=_open_and_die, args=(path, table_class)
    )
    child.start()
    child.join(10)
    with open(path, "r+b") as file:  # record the dead child as the owner
        file.seek(28)
        file.write(struct.pack("<I", child.pid))
    live = f"/dev/shm/altapi-rl-test-live-{namespace}"
    owned = table_class(live, [(1, 1.0)], 4, 4, owner_pid=child.pid)  # dead owner but in use
    try:
        removed = sweep("/dev/shm")
        assert path in removed and not os.path.exists(path)
        assert os.path.exists(live)
    finally:
        owned.close()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        RateLimiter(0, 10)
    with pytest.raises(ValueError):
        RateLimiter(1, 0)
    with pytest.raises(ValueError, match="when_full"):
        RateLimiter(1, 1, when_full="maybe")
    with pytest.raises(TypeError):
        RateLimiter(1)
    with pytest.raises(TypeError):
        RateLimiter(1, 1, rules=[(1, 1)])


def test_decision_headers_round_retry_after_up_to_at_least_one():
    headers = Decision(False, 5, 0, 1000.2, 0.2).headers()
    assert headers == {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "1001",
        "Retry-After": "1",
    }
    assert "Retry-After" not in Decision(True, 5, 4, 1000.0, 0.0).headers()


def test_a_table_in_use_by_the_other_implementation_is_refused_clearly(namespace, impl):
    if len(IMPLEMENTATIONS) < 2:
        pytest.skip("one implementation built")  # only under ALTAPI_NO_EXTENSIONS
    other = importlib.import_module(MODULES["c" if impl == "py" else "py"]).Table
    a = RateLimiter(2, 10, namespace=namespace)
    a.hit("k")
    try:
        with pytest.raises(RuntimeError, match="same ALTAPI_NO_EXTENSIONS"):
            other(a.path, [(2, 10.0)], 4096, 32)
        assert a.hit("k").allowed and not a.hit("k").allowed  # the user is unharmed
    finally:
        a.close()


def test_both_tables_agree_hit_for_hit(namespace, tmp_path):
    """Parity: the same random hits (keys, clock steps, batches, a small table) give the
    same outcomes and the same bytes in both tables' files."""
    if len(IMPLEMENTATIONS) < 2:
        pytest.skip("one implementation built")
    rng = random.Random(7)
    rules = [(3, 2.0), (5, 7.5)]
    tables = [
        importlib.import_module(MODULES[name]).Table(str(tmp_path / f"{name}.table"), rules, 8, 4)
        for name in ("py", "c")
    ]
    try:
        now = 1000.0
        for _ in range(3000):
            now += rng.choice([0.0, 0.01, 0.3, 1.5, -0.5])
            high, low = key_hash(f"k{rng.randrange(12)}")
            outcomes = [table.hit(high, low, now) for table in tables]
            assert outcomes[0] == outcomes[1]
            decisions = [table.decide(high, low, now) for table in tables]
            assert decisions[0] == decisions[1]
        files = [os.pread(table.fd, table.size, 0) for table in tables]
        assert files[0][:8] == files[1][:8] and files[0][64:] == files[1][64:]
    finally:
        for table in tables:
            table.close()


def test_the_compiled_table_loaded_where_built():
    if _compat.NO_EXTENSIONS:
        assert _compat.COMPILED is False
    else:  # a build without the extension fails here; it never skips
        assert _compat.COMPILED is True
        assert _compat.Table.__module__ == "altapi_ratelimit._ctable"


@pytest.mark.parametrize("remaining", [0, 7, 255, 256, 123_456])
@pytest.mark.parametrize("reset", [1_700_000_000.0, 1_700_000_000.25, 59.999])
def test_the_guard_writes_the_header_fields_of_its_decision(make_limiter, impl, remaining, reset):
    limiter = make_limiter(200_000, 60)
    guard = Guard(limiter, None, None, None, False)
    # On the compiled table, the C finish with its cached pairs (it needs no open table).
    assert (guard._fast_path is not None) is (impl == "c")
    decision = Decision(True, 200_000, remaining, reset, 0.0)
    for _ in range(2):  # the second time from the cached pairs
        response = PlainTextResponse("ok")
        before = list(response.raw_headers)
        guard.finish(response, decision)
        assert response.raw_headers == [*before, *decision.raw_headers()]
    guard.finish(response, None)  # a skipped request: nothing added
    assert len(response.raw_headers) == len(before) + 3


def test_hit_is_chosen_once_and_a_closed_table_reopens(make_limiter, impl):
    limiter = make_limiter(2, 60)
    hit = limiter.hit  # fetched before the table is open
    assert ("hit" in limiter.__dict__) is (impl == "c")  # the C hit, made by the constructor
    assert hit("k").remaining == 1
    assert limiter.hit == hit  # the same function after the first hit: never replaced
    limiter.close()
    assert limiter.hit("k").remaining == 1  # reopened (the last user removed the file)
    assert limiter.hit("k").remaining == 0
    assert not limiter.hit("k").allowed
