"""`@rate_limit` and `@rate_limit_batch`, placed under a route decorator."""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from altapi_core import HTTPException, JSONResponse, Response
from altapi_core.guards import declare

from . import limiter as limiter_module
from .extension import rate_limits
from .keys import client_ip, client_ip_behind
from .limiter import Decision, RateLimiter, unique_name

__all__ = ["rate_limit", "rate_limit_batch"]

F = TypeVar("F", bound=Callable[..., Any])
KeyFunc = Callable[[Any], Any]


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class Guard:
    """What the decorators and the middleware share: key, skip, decide, headers."""

    def __init__(
        self,
        limiter: RateLimiter,
        key_func: KeyFunc | None,
        skip_when: KeyFunc | None,
        trusted_proxies: Iterable[str] | None,
        ietf_headers: bool,
    ) -> None:
        if key_func is None:
            key_func = client_ip_behind(trusted_proxies) if trusted_proxies else client_ip
        elif trusted_proxies:
            raise TypeError("trusted_proxies applies to the default key; not with key_func")
        self.limiter: Any = limiter
        self.key_func = key_func
        self.skip_when = skip_when
        self.ietf_headers = ietf_headers
        # A forked worker opens its own table: back to the Python path once, which
        # binds the fast path again to the child's table.
        os.register_at_fork(after_in_child=self._after_fork)
        # PERF: the usual guard (the default key, no skip test, no IETF fields, a
        # RateLimiter on the compiled table) checks and finishes in C: its `check` and
        # `finish` are the table's GuardFastPath, made here once (14.2k -> 6.1k
        # instructions added to a route). Until the first Python check opens the table
        # and binds it (and after a fork), the C check hands over to the Python one.
        self._fast_path: Any = None
        fast_path_class = getattr(limiter_module.Table, "GuardFastPath", None)
        if (
            fast_path_class is not None
            and skip_when is None
            and key_func is client_ip
            and not ietf_headers
            and isinstance(limiter, RateLimiter)
            and type(limiter).hit is RateLimiter.hit
        ):
            self._fast_path = fast_path_class(limiter.clock, self._settle_outcome)
            self.check = self._fast_path.check  # type: ignore[method-assign]
            self.finish = self._fast_path.finish  # type: ignore[method-assign]

    def _after_fork(self) -> None:
        if self._fast_path is not None:
            self._fast_path.bind(None)  # back to the Python check once, to bind again

    def attach(self, app: Any) -> None:
        """Called when a route this guards is registered: the app closes the limiter at
        shutdown (see altapi_ratelimit.extension)."""
        rate_limits(app).track(self.limiter)

    def _settle_outcome(self, request: Any, outcome: Decision | float | None) -> Any:
        """The fast path's rare outcomes: a refusal, a full table, a closed table."""
        if outcome is None:  # not bound yet, or closed: the Python path (re)opens it
            return Guard.check(self, request)
        decision = outcome if isinstance(outcome, Decision) else self.limiter._full(outcome)
        return self.refusal(decision) if not decision.allowed else decision

    async def decide(self, request: Any) -> Decision | None:
        """None when `skip_when` says so; otherwise the decision for this request."""
        if self.skip_when is not None and await _maybe_await(self.skip_when(request)):
            return None
        key = self.key_func(request)
        if not isinstance(key, str):  # PERF: the usual str key skips the awaitable check
            key = str(await _maybe_await(key))
        decision = self.limiter.hit(key)
        if not isinstance(decision, Decision):  # an async limiter (RedisRateLimiter)
            decision = await decision
        return decision

    def check(self, request: Any) -> Any:
        """A 429 response, or the decision (None when skipped) for `finish`; a coroutine
        giving one of those when the key, the skip test or the limiter is async."""
        if self.skip_when is None and self.key_func is client_ip:
            # PERF: the usual case stays synchronous: no coroutine to create and await.
            client = request.scope.get("client")
            decision = self.limiter.hit(client[0] if client else "unknown")
            if decision.__class__ is Decision:
                if self._fast_path is not None:
                    self._fast_path.bind(self.limiter._table)
                return self.refusal(decision) if not decision.allowed else decision
            return self._settle(decision)
        return self._check_async(request)

    async def _settle(self, pending: Any) -> Response | Decision:
        decision: Decision = await pending
        return self.refusal(decision) if not decision.allowed else decision

    async def _check_async(self, request: Any) -> Response | Decision | None:
        decision = await self.decide(request)
        if decision is not None and not decision.allowed:
            return self.refusal(decision)
        return decision

    def finish(self, response: Response, decision: Decision | None) -> None:
        if decision is None:
            return
        if self.ietf_headers:
            response.headers.update(self.headers(decision))
        else:  # PERF: three integer fields, appended as raw pairs
            response.raw_headers += decision.raw_headers()

    def amend(self, exc: Exception, decision: Decision | None) -> None:
        """An HTTPException's error response carries the rate-limit fields too."""
        if decision is not None and isinstance(exc, HTTPException):
            exc.headers = {**self.headers(decision), **(exc.headers or {})}

    def headers(self, decision: Decision) -> dict[str, str]:
        fields = decision.headers()
        if self.ietf_headers:
            fields.update(ietf_fields(decision, self.limiter.rules, self.limiter.clock()))
        return fields

    def refusal(self, decision: Decision) -> Response:
        seconds = max(1, math.ceil(decision.retry_after))
        period = next((p for limit, p in self.limiter.rules if limit == decision.limit), 0)
        message = (
            f"at most {decision.limit} requests per {period:g} seconds; "
            f"retry in {seconds} second{'s' if seconds != 1 else ''}"
        )
        return JSONResponse(
            {"error": "Rate limit exceeded", "message": message},
            status_code=429,
            headers=self.headers(decision),
        )


def ietf_fields(
    decision: Decision, rules: Sequence[tuple[int, float]], now: float
) -> dict[str, str]:
    """`RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers)."""
    names = [f'"{limit}-per-{period:g}s"' for limit, period in rules]
    policy = ", ".join(
        f"{name};q={limit};w={math.ceil(period)}"
        for name, (limit, period) in zip(names, rules, strict=True)
    )
    index = next((i for i, (limit, _) in enumerate(rules) if limit == decision.limit), 0)
    seconds = max(0, math.ceil(decision.reset - now))
    return {
        "RateLimit-Policy": policy,
        "RateLimit": f"{names[index]};r={decision.remaining};t={seconds}",
    }


def _name_for(handler: Callable[..., Any]) -> str:
    module = getattr(handler, "__module__", "") or ""
    return f"{module}.{getattr(handler, '__qualname__', 'handler')}"


def rate_limit_batch(
    limits: Sequence[tuple[int, float]],
    key_func: KeyFunc | None = None,
    skip_when: KeyFunc | None = None,
    *,
    trusted_proxies: Iterable[str] | None = None,
    ietf_headers: bool = False,
    limiter: Any = None,
    **limiter_options: Any,
) -> Callable[[F], F]:
    """Admit a request only if every `(limit, period)` admits it; a refusal counts nowhere.

    Put it under the route decorator (`@app.get(...)` first); it applies to HTTP
    and WebSocket routes (a refused handshake gets 403 and the limit headers).
    `limiter_options` go to `RateLimiter` (slots, when_full, clock, namespace...).
    `limiter=` uses a limiter you made instead, e.g. a `RedisRateLimiter` shared by
    several machines (its rules then apply). The wrapped handler's
    `__altapi_rate_limiter__` is its limiter.
    """

    return _limited(
        "@rate_limit_batch",
        limits,
        key_func,
        skip_when,
        trusted_proxies,
        ietf_headers,
        limiter,
        limiter_options,
    )


def rate_limit(
    limit: int = 10,
    period: float = 60,
    key_func: KeyFunc | None = None,
    skip_when: KeyFunc | None = None,
    *,
    trusted_proxies: Iterable[str] | None = None,
    ietf_headers: bool = False,
    limiter: Any = None,
    **limiter_options: Any,
) -> Callable[[F], F]:
    """At most `limit` requests per key (default: client IP) in any `period` seconds."""
    return _limited(
        "@rate_limit",
        [(limit, period)],
        key_func,
        skip_when,
        trusted_proxies,
        ietf_headers,
        limiter,
        limiter_options,
    )


def _limited(
    decorator: str,
    limits: Sequence[tuple[int, float]],
    key_func: KeyFunc | None,
    skip_when: KeyFunc | None,
    trusted_proxies: Iterable[str] | None,
    ietf_headers: bool,
    limiter: Any,
    limiter_options: dict[str, Any],
) -> Callable[[F], F]:
    def decorate(handler: F) -> F:
        made = limiter
        if made is None:
            options = dict(limiter_options)
            options.setdefault("name", unique_name(_name_for(handler)))
            made = RateLimiter(rules=list(limits), **options)
        guard = Guard(made, key_func, skip_when, trusted_proxies, ietf_headers)
        # Recorded on the handler; the route decorator builds it into the route's pipeline.
        declare(handler, guard, decorator)
        handler.__altapi_rate_limiter__ = guard.limiter  # type: ignore[attr-defined]
        return handler

    return decorate
