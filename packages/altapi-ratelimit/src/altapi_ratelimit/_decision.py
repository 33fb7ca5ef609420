"""`Decision`, and how a table's per-rule outcome becomes one (shared by both tables)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

__all__ = ["Decision", "decision"]


class Decision(NamedTuple):
    """The outcome of one `hit`: times are Unix seconds, `retry_after` is 0 when allowed."""

    allowed: bool
    limit: int
    remaining: int
    reset: float
    retry_after: float

    def headers(self) -> dict[str, str]:
        """The X-RateLimit-* fields (and Retry-After when refused) for this decision."""
        fields = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset)),
        }
        if not self.allowed:
            fields["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return fields

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The X-RateLimit-* fields of an admitted request as ASGI header pairs.

        # PERF: appended to the response's raw headers without MutableHeaders' checks
        (the values are integers we format), ~1 µs less per request.
        """
        return [
            (b"x-ratelimit-limit", b"%d" % self.limit),
            (b"x-ratelimit-remaining", b"%d" % self.remaining),
            (b"x-ratelimit-reset", b"%d" % math.ceil(self.reset)),
        ]


def decision(outcome: tuple[Any, ...], rules: Sequence[tuple[int, float]]) -> Decision | float:
    """The Decision for a table's `hit` outcome; for a full table, the seconds until a
    slot frees (a float, which the limiter turns into its `when_full` decision)."""
    if outcome[0] == "full":
        soonest: float = outcome[1]
        return soonest
    allowed, now, per_rule = outcome
    if len(per_rule) == 1:  # PERF: the usual single rule skips the selection below
        limit, period = rules[0]
        in_window, oldest = per_rule[0]
        if allowed:
            return Decision(True, limit, limit - in_window, oldest + period, 0.0)
        return Decision(False, limit, 0, oldest + period, oldest + period - now)
    if allowed:  # report the rule closest to refusing; on a tie, the slowest to free up
        index = min(
            range(len(per_rule)),
            key=lambda i: (rules[i][0] - per_rule[i][0], -(per_rule[i][1] + rules[i][1])),
        )
        limit, period = rules[index]
        in_window, oldest = per_rule[index]
        return Decision(True, limit, limit - in_window, oldest + period, 0.0)
    # report the refusing rule that frees up last: its wait is the real one
    waits = [
        (oldest + period - now, i)
        for i, ((limit, period), (in_window, oldest)) in enumerate(
            zip(rules, per_rule, strict=True)
        )
        if in_window >= limit
    ]
    wait, index = max(waits)
    return Decision(False, rules[index][0], 0, now + wait, wait)
