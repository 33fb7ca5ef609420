"""Garbage-collector tuning applied in each worker once the app has started.

A web worker allocates many short-lived objects per request. After start-up:
`gc.collect()` clears start-up garbage, `gc.freeze()` moves every surviving
object (modules, routes, the app) out of the collector's sight so later
collections do not walk it again (and forked workers keep sharing those pages),
and a higher generation-0 threshold makes collections rarer.
"""

from __future__ import annotations

import gc

__all__ = ["GEN0_THRESHOLD", "tune_gc"]

GEN0_THRESHOLD = 50_000


def tune_gc() -> tuple[int, int, int]:
    """Collect, freeze, and raise the thresholds; returns the new thresholds."""
    gc.collect(2)
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    thresholds = (GEN0_THRESHOLD, min(gen1 * 2, 2**30), min(gen2 * 2, 2**30))
    gc.set_threshold(*thresholds)
    return thresholds
