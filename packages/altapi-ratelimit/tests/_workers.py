"""Process targets for test_processes.py, in a module spawned children can import."""

import signal

from altapi_ratelimit import RateLimiter


def hammer(namespace, name, attempts, results, barrier):
    limiter = RateLimiter(150, 3600, name=name, namespace=namespace)
    limiter._open()
    barrier.wait(30)  # all open before any closes: the last to close removes the table
    admitted = sum(limiter.hit("one-key").allowed for _ in range(attempts))
    results.put(admitted)
    barrier.wait(30)
    limiter.close()


def hold_the_lock(namespace, holding):
    limiter = RateLimiter(5, 3600, name="locked", namespace=namespace)
    limiter.hit("k")
    limiter._table.acquire()  # as in the middle of an update (lockf, or the lock word)
    holding.set()
    signal.pause()  # until killed


def hammer_forever(namespace, admitted_one):
    limiter = RateLimiter(150, 3600, name="hammered", namespace=namespace)
    for _ in range(10_000_000):  # bounded; the test kills it long before
        if limiter.hit("one-key").allowed:
            admitted_one.set()
