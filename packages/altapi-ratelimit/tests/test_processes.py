"""Several OS processes on one table: exact counts, and a holder killed with the lock."""

import fcntl
import multiprocessing
import os
import signal
import sys
from pathlib import Path

import pytest

from altapi_ratelimit import RateLimiter

# Spawned children import their target by module name: make this folder importable.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _workers

FORK = multiprocessing.get_context("fork")
SPAWN = multiprocessing.get_context("spawn")


def _start_hammers(context, namespace, processes, attempts, extra=0):
    results = context.Queue()
    barrier = context.Barrier(processes + extra)
    workers = [
        context.Process(
            target=_workers.hammer, args=(namespace, "hammered", attempts, results, barrier)
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    return workers, results, barrier


@pytest.mark.parametrize("context", [FORK, SPAWN], ids=["fork", "spawn"])
def test_processes_hammering_one_key_admit_exactly_the_limit(context, namespace):
    workers, results, _ = _start_hammers(context, namespace, processes=4, attempts=120)
    totals = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    assert sum(totals) == 150  # 480 attempts, no lost update, no over-admission
    assert sum(1 for t in totals if t > 0) >= 2  # really shared between processes


def test_a_table_opened_before_fork_is_shared_with_the_children(namespace):
    parent = RateLimiter(10, 3600, namespace=namespace)
    assert parent.hit("k").allowed  # opened here; children inherit the mapping
    results = FORK.Queue()

    def child():
        results.put(sum(parent.hit("k").allowed for _ in range(10)))

    workers = [FORK.Process(target=child) for _ in range(3)]
    for worker in workers:
        worker.start()
    admitted = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert sum(admitted) == 9
    assert not parent.hit("k").allowed
    path = parent.path
    assert os.path.exists(path)  # the children's exits did not remove it under us
    parent.close()
    assert not os.path.exists(path)


def test_a_process_killed_while_holding_the_lock_does_not_wedge_the_others(namespace, impl):
    limiter = RateLimiter(5, 3600, name="locked", namespace=namespace)
    table = limiter._open()
    holding = FORK.Event()
    holder = FORK.Process(target=_workers.hold_the_lock, args=(namespace, holding))
    holder.start()
    assert holding.wait(30)
    if impl == "py":  # the lock really is held by the other process
        with pytest.raises(OSError):
            fcntl.lockf(table.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
    else:
        assert table.lock_holder() == holder.pid
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(30)
    assert holder.exitcode == -signal.SIGKILL
    decisions = [limiter.hit("k") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True] * 4 + [False]  # the holder's hit counts
    limiter.close()
    assert not os.path.exists(table.path)  # the dead holder's flock is gone too


def test_killing_a_hammering_process_leaves_the_survivors_exact(namespace):
    checker = RateLimiter(150, 3600, name="hammered", namespace=namespace)
    checker._open()  # keeps the table alive through the workers' exits
    admitted_one = FORK.Event()
    victim = FORK.Process(target=_workers.hammer_forever, args=(namespace, admitted_one))
    victim.start()
    assert admitted_one.wait(30)  # the victim is in its loop, taking the lock again and again
    workers, results, _ = _start_hammers(FORK, namespace, processes=3, attempts=400)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(30)
    assert victim.exitcode == -signal.SIGKILL
    totals = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    assert sum(totals) <= 149  # the victim was admitted at least once
    final = checker.hit("one-key")
    assert not final.allowed and final.remaining == 0  # 1200 attempts exhausted the key
    assert checker.hit("another-key").allowed
    checker.close()


def test_a_zombie_holder_of_the_lock_word_is_recognised_as_dead(namespace, impl):
    """Killed but not yet reaped by its parent: kill(pid, 0) still succeeds, so the
    lock word's waiters also look at /proc (lockf: the kernel drops the lock anyway)."""
    limiter = RateLimiter(5, 3600, name="locked", namespace=namespace)
    table = limiter._open()
    holding = FORK.Event()
    holder = FORK.Process(target=_workers.hold_the_lock, args=(namespace, holding))
    holder.start()
    assert holding.wait(30)
    os.kill(holder.pid, signal.SIGKILL)
    while not Path(f"/proc/{holder.pid}/stat").read_text().split(") ")[1].startswith("Z"):
        pass  # dying; not reaped, since we have not joined it
    if impl == "c":
        assert table.lock_holder() == holder.pid
    decisions = [limiter.hit("k") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True] * 4 + [False]
    holder.join(30)
    limiter.close()
