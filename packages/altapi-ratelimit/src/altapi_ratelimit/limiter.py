"""`RateLimiter.hit(key) -> Decision`: the limiter itself, usable from any code."""

from __future__ import annotations

import atexit
import functools
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing import util as mp_util

from . import _naming
from ._compat import Table
from ._decision import Decision

__all__ = ["Decision", "RateLimiter"]

logger = logging.getLogger("altapi.ratelimit")

_names: dict[str, int] = {}
_names_lock = threading.Lock()
_swept = False


def _unopened(key: str | bytes, clock: Callable[[], float]) -> None:
    return None


def unique_name(base: str) -> str:
    """`base#k`, k counting the limiters of that base name made so far in this process.

    Deterministic for one import order, so workers importing the same app (uvicorn
    spawns them) name each limiter alike.
    """
    with _names_lock:
        k = _names.get(base, 0)
        _names[base] = k + 1
    return f"{base}#{k}"


class RateLimiter:
    """At most `limit` admissions per key in any window of `period` seconds.

    `RateLimiter(limit, period)` or `RateLimiter(rules=[(limit, period), ...])` (a
    request is admitted only if every rule admits it; a refusal consumes none).
    The counts live in a shared-memory table (see docs/ratelimit.md) that all
    processes of one server share; it is opened on the first `hit`.

    Options: `name` (the table's name within the server; by default one derived
    from creation order, `limiter#k`; give one when processes create limiters in
    different orders), `namespace` (overrides the server's), `slots` (table
    size), `max_probe`, `when_full` ("open" admits, "closed" refuses when no slot
    is free), `clock` (a `time.time`-like function), `directory` (/dev/shm).
    """

    def __init__(
        self,
        limit: int | None = None,
        period: float | None = None,
        *,
        rules: Sequence[tuple[int, float]] | None = None,
        name: str | None = None,
        namespace: str | None = None,
        slots: int = 4096,
        max_probe: int = 32,
        when_full: str = "open",
        clock: Callable[[], float] = time.time,
        directory: str | None = None,
    ) -> None:
        if rules is None:
            if limit is None or period is None:
                raise TypeError("give limit and period, or rules=[(limit, period), ...]")
            rules = [(limit, period)]
        elif limit is not None or period is not None:
            raise TypeError("give limit and period, or rules, not both")
        self.rules = [(int(limit), float(period)) for limit, period in rules]
        if not self.rules:
            raise ValueError("a rate limiter needs at least one (limit, period) rule")
        for rule_limit, rule_period in self.rules:
            if rule_limit < 1 or not rule_period > 0:
                raise ValueError(
                    f"limit must be >= 1 and period > 0, not {rule_limit}/{rule_period}"
                )
        if when_full not in ("open", "closed"):
            raise ValueError(f'when_full must be "open" or "closed", not {when_full!r}')
        if slots < 1 or max_probe < 1:
            raise ValueError("slots and max_probe must be positive")
        self.name = name if name is not None else unique_name("limiter")
        self.namespace = namespace
        self.slots = slots
        self.max_probe = max_probe
        self.when_full = when_full
        self.clock = clock
        self.directory = directory or _naming.default_directory()
        self._table: Table | None = None
        self._decide: Callable[[str | bytes, Callable[[], float]], Decision | float | None] = (
            _unopened
        )
        self._open_lock = threading.Lock()
        self._warned_full = False
        # PERF: on the compiled table, `hit` is C (no Python frame: 2.6k -> 1.7k
        # instructions a hit), made here once and bound to the table when it opens;
        # unbound or closed it calls the Python method, which (re)opens it.
        self._fast_path = None
        fast_path_class = getattr(Table, "LimiterFastPath", None)
        if fast_path_class is not None and type(self).hit is RateLimiter.hit:
            reopen = functools.partial(RateLimiter.hit, self)
            self._fast_path = fast_path_class(clock, reopen, self._full)
            self.hit = self._fast_path.hit  # type: ignore[method-assign]

    @property
    def limit(self) -> int:
        return self.rules[0][0]

    @property
    def period(self) -> float:
        return self.rules[0][1]

    @property
    def path(self) -> str:
        """The table's file (it exists once the first hit has opened it)."""
        return self._open().path

    def _open(self) -> Table:
        global _swept
        with self._open_lock:
            if self._table is None or self._table.closed:
                if not _swept:
                    _swept = True
                    _naming.sweep(self.directory)
                path, owner = _naming.resolve(self.directory, self.name, self.namespace)
                table = Table(path, self.rules, self.slots, self.max_probe, owner)
                atexit.register(table.close)
                # forked multiprocessing children leave through os._exit, not atexit
                mp_util.Finalize(None, table.close, exitpriority=10)
                self._table = table
                self._decide = table.decide_key
                if self._fast_path is not None:
                    self._fast_path.bind(table)
            return self._table

    def close(self) -> None:
        """Unmap the table; the last process to close it removes the file."""
        with self._open_lock:
            self._decide = _unopened
            if self._fast_path is not None:
                self._fast_path.bind(None)
            if self._table is not None:
                self._table.close()
                self._table = None

    def __enter__(self) -> RateLimiter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def hit(self, key: str | bytes) -> Decision:
        """Count one request for `key` if it is admitted; say whether it was."""
        outcome = self._decide(key, self.clock)  # PERF: the open table's decide_key
        if outcome.__class__ is Decision:
            return outcome
        if outcome is None:  # not open yet, or closed: (re)open and decide
            outcome = self._open().decide_key(key, self.clock)
        if outcome is None:
            raise RuntimeError(f"rate-limit table {self.name} was closed while in use")
        if isinstance(outcome, float):  # the table is full
            return self._full(outcome)
        return outcome

    def _full(self, soonest: float) -> Decision:
        if not self._warned_full:
            self._warned_full = True
            logger.warning(
                "rate-limit table %s is full (%d slots); failing %s",
                self.name,
                self.slots,
                self.when_full,
            )
        limit, period = self.rules[0]
        now = self.clock()
        if self.when_full == "open":
            return Decision(True, limit, limit - 1, now + period, 0.0)
        wait = soonest if math.isfinite(soonest) else period
        return Decision(False, limit, 0, now + wait, wait)

    def __repr__(self) -> str:
        rules = ", ".join(f"{limit}/{period:g}s" for limit, period in self.rules)
        return f"RateLimiter({rules}, name={self.name!r})"
