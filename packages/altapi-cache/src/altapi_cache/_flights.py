"""Stampede protection: concurrent misses on one key in one worker run the handler once."""

from __future__ import annotations

import anyio

from .entry import CachedResponse


class Flight:
    """One handler run that other requests for the same key wait for."""

    __slots__ = ("done", "entry", "variant")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.entry: CachedResponse | None = None
        self.variant = ""  # the leader's variant key, when the response has Vary


class Flights:
    def __init__(self) -> None:
        self._active: dict[str, Flight] = {}

    def join(self, key: str) -> tuple[Flight, bool]:
        """The flight for `key` and whether the caller leads it (runs the handler)."""
        flight = self._active.get(key)
        if flight is not None:
            return flight, False
        flight = self._active[key] = Flight()
        return flight, True

    def land(
        self, key: str, flight: Flight, entry: CachedResponse | None = None, variant: str = ""
    ) -> None:
        """Publish the leader's storable response (None if there is none) and wake the
        followers. Safe to call twice: only the first call counts."""
        if flight.done.is_set():
            return
        flight.entry = entry
        flight.variant = variant
        if self._active.get(key) is flight:
            del self._active[key]
        flight.done.set()

    def __len__(self) -> int:
        return len(self._active)
