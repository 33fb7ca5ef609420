"""Garbage-collector tuning applied in each server process once the app has started.

A web worker allocates many short-lived objects per request. After start-up:
`gc.collect()` clears start-up garbage, `gc.freeze()` moves every surviving
object (modules, routes, the app) out of the collector's sight so later
collections do not walk it again (and forked workers keep sharing those pages),
and a higher generation-0 threshold makes collections rarer.

The lifespan start-up applies it once per process under any server (uvicorn,
Granian, `app.run`); `ALTAPI_GC_TUNING=0` in the environment switches it off, and
the TestClient never applies it to a test process.
"""

from __future__ import annotations

import gc
import os

__all__ = ["GEN0_THRESHOLD", "TUNING_ENV", "tune_gc", "tune_gc_once"]

GEN0_THRESHOLD = 50_000
TUNING_ENV = "ALTAPI_GC_TUNING"

_tuned_in: int | None = None  # the process id that was tuned (a forked child is not)


def tune_gc() -> tuple[int, int, int]:
    """Collect, freeze, and raise the thresholds; returns the new thresholds."""
    gc.collect(2)
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    thresholds = (GEN0_THRESHOLD, min(gen1 * 2, 2**30), min(gen2 * 2, 2**30))
    gc.set_threshold(*thresholds)
    return thresholds


def tune_gc_once() -> bool:
    """`tune_gc()` unless this process was already tuned or `ALTAPI_GC_TUNING=0`."""
    global _tuned_in
    if os.environ.get(TUNING_ENV, "1").strip().lower() in ("0", "false", "off", "no"):
        return False
    if _tuned_in == os.getpid():
        return False
    _tuned_in = os.getpid()
    tune_gc()
    return True
