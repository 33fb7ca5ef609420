"""The shared-memory table: an mmap of one file in /dev/shm, shared by every process.

Layout (all little-endian on x86/ARM, native 8-byte words; see docs/ratelimit.md):

    header, 64 bytes
      0  magic        8 bytes  b"ALTAPIRL"
      8  version      u32      1
     12  header size  u32      64
     16  slot count   u32
     20  slot words   u32      8-byte words per slot
     24  rule count   u32
     28  owner pid    u32      0 when unknown (used to sweep stale tables)
     32  rules digest 16 bytes blake2b of the (limit, period) rules
     48  created at   f64      Unix time
     56  lock word    u32      the holder's pid (version 2 only; 0 when free)
     60  reserved     4 bytes
    slots, `slot count` x `slot words` x 8 bytes, from byte 64
      word 0  key hash, high half (u64, never 0: 0 marks an empty slot)
      word 1  key hash, low half (u64)
      word 2  newest admission time (f64); the slot is expired once
              newest + longest period <= now
      then for each rule: head (u64), count (u64), ring of `limit` f64 times

The version says how the table is locked. Version 1, this module: every
read-modify-write happens under a POSIX record lock (`fcntl.lockf`) on byte 0 of
the file; the kernel drops it when its holder dies. Version 2, the compiled
`_ctable`: a compare-and-swap lock word at byte 56 holding its holder's pid, stolen
from a dead holder. A process of one kind refuses a table in use by the other
(`TableFile._initialise`), since neither lock excludes the other's holders. A shared
`flock` held by every process that has the table open counts its users: the
last to close it (the one that can take the flock exclusively) unlinks it.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ._decision import Decision, decision

__all__ = ["FULL", "Table", "TableFile", "key_hash"]

MAGIC = b"ALTAPIRL"
VERSION = 1  # the lockf protocol; 2 is the compiled lock word (_ctable.pyx)
PROTOCOLS = {1: "pure-Python (lockf)", 2: "compiled (lock word)"}
HEADER_SIZE = 64
_HEADER = struct.Struct("<8sIIIIII16sd8x")
_WORD = 8
_SLOT_FIXED = 3  # hash high, hash low, newest
_RULE_FIXED = 2  # head, count
FULL = "full"


def key_hash(key: str | bytes) -> tuple[int, int]:
    """A stable 128-bit hash of the key (the same in every process), as two u64."""
    data = key.encode() if isinstance(key, str) else key
    digest = hashlib.blake2b(data, digest_size=16, person=b"altapi-rl").digest()
    high, low = struct.unpack("<QQ", digest)
    return high | 1, low  # high is never 0: 0 marks an empty slot


# PERF: blake2b costs 1.9 µs a key on the reference machine, a dict hit 0.05 µs
_hashes: dict[str | bytes, tuple[int, int]] = {}
_HASH_CACHE = 8192


def hashed(key: str | bytes) -> tuple[int, int]:
    """`key_hash(key)`, through a bounded cache shared by every table of the process."""
    pair = _hashes.get(key)
    if pair is None:
        if len(_hashes) >= _HASH_CACHE:
            _hashes.clear()
        pair = _hashes[key] = key_hash(key)
    return pair


def rules_digest(rules: Sequence[tuple[int, float]]) -> bytes:
    text = ";".join(f"{limit}/{float(period)!r}" for limit, period in rules)
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def slot_words(rules: Sequence[tuple[int, float]]) -> int:
    return _SLOT_FIXED + sum(_RULE_FIXED + limit for limit, _ in rules)


class TableFile:
    """The file side of a table, shared by both implementations: create or check the
    header, count users, remove the file with the last one, reopen after a fork.

    Subclasses map the file (`_map`, `_unmap`) and implement `hit` and `decide`.
    """

    VERSION = VERSION

    def __init__(
        self,
        path: str,
        rules: Sequence[tuple[int, float]],
        slots: int,
        max_probe: int,
        owner_pid: int = 0,
    ) -> None:
        self.path = path
        self.rules = [(int(limit), float(period)) for limit, period in rules]
        self.slots = slots
        self.max_probe = min(max_probe, slots)
        self.owner_pid = owner_pid
        self.slot_words = slot_words(self.rules)
        self.longest = max(period for _, period in self.rules)
        self.size = HEADER_SIZE + slots * self.slot_words * _WORD
        self.digest = rules_digest(self.rules)
        # word offset of each rule inside a slot
        offsets, offset = [], _SLOT_FIXED
        for limit, _ in self.rules:
            offsets.append(offset)
            offset += _RULE_FIXED + limit
        self.layout = [
            (o, limit, period) for o, (limit, period) in zip(offsets, self.rules, strict=True)
        ]
        self.pid = -1
        self.fd = -1
        self.closed = False
        self._open()

    # --- opening and closing ------------------------------------------------------------

    def _open(self) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH)  # one more user; blocks while a closer unlinks
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # unlinked by the last user between our open and flock: retry
        try:
            self._initialise(fd)
            self._map(fd)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        self.pid = os.getpid()

    def _map(self, fd: int) -> None:
        raise NotImplementedError

    def _unmap(self) -> None:
        raise NotImplementedError

    def _initialise(self, fd: int) -> None:
        fcntl.lockf(fd, fcntl.LOCK_EX, 1, 0)
        try:
            header = os.pread(fd, HEADER_SIZE, 0)
            if len(header) == HEADER_SIZE and header[:8] == MAGIC:
                fields = _HEADER.unpack(header)
                if fields[1:5] == (self.VERSION, HEADER_SIZE, self.slots, self.slot_words) and (
                    fields[7] == self.digest
                ):
                    return
                if not _only_user(fd):
                    if fields[2:5] == (HEADER_SIZE, self.slots, self.slot_words) and (
                        fields[7] == self.digest
                    ):  # only the version differs: the other implementation's lock
                        raise RuntimeError(
                            f"rate-limit table {self.path} is in use by processes running the "
                            f"{PROTOCOLS.get(fields[1], f'version {fields[1]}')} implementation; "
                            f"this one runs the {PROTOCOLS[self.VERSION]} one and their locks "
                            "do not exclude each other: run every worker with the same build "
                            "and the same ALTAPI_NO_EXTENSIONS setting"
                        )
                    raise RuntimeError(
                        f"rate-limit table {self.path} is in use with another layout or "
                        "other limits; give this limiter its own name"
                    )
            # new, or left over by a crashed run with another layout: (re)initialise
            os.ftruncate(fd, 0)
            os.ftruncate(fd, self.size)  # sparse: tmpfs allocates pages as slots are used
            os.pwrite(
                fd,
                _HEADER.pack(
                    MAGIC,
                    self.VERSION,
                    HEADER_SIZE,
                    self.slots,
                    self.slot_words,
                    len(self.rules),
                    self.owner_pid,
                    self.digest,
                    time.time(),
                ),
                0,
            )
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, 0)

    def reopen_after_fork(self) -> None:
        # The fd shares its open file description (and its flock) with the parent:
        # close our copy without unlocking, then open the file anew.
        self._unmap()
        os.close(self.fd)
        self._open()

    def close(self) -> None:
        """Unmap; the last process to close the table removes the file."""
        if self.closed:
            return
        self.closed = True
        if self.pid != os.getpid():  # inherited through fork and never reopened here
            return
        self._unmap()
        try:
            if _only_user(self.fd):
                try:
                    if os.stat(self.path).st_ino == os.fstat(self.fd).st_ino:
                        os.unlink(self.path)
                except FileNotFoundError:
                    pass
        finally:
            os.close(self.fd)


class Table(TableFile):
    """The pure-Python table: lockf around each update, memoryviews on an mmap."""

    def _map(self, fd: int) -> None:
        self.mm = mmap.mmap(fd, self.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        view = memoryview(self.mm)
        self._views: list[memoryview[Any]] = [view, view.cast("Q"), view.cast("d")]
        self.q: Any = self._views[1]  # the slots as u64 words
        self.f: Any = self._views[2]  # the same words as f64
        self.thread_lock = threading.Lock()

    def _unmap(self) -> None:
        for view in reversed(self._views):
            view.release()
        self._views = []
        self.mm.close()

    def acquire(self) -> None:
        """Take the table's lock (for tests: hold it as in the middle of an update)."""
        fcntl.lockf(self.fd, fcntl.LOCK_EX, 1, 0)

    def release(self) -> None:
        fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, 0)

    def decide(self, high: int, low: int, now: float) -> Decision | float:
        """The Decision for one hit, or the seconds until a slot frees when the table is full."""
        return decision(self.hit(high, low, now), self.rules)

    def decide_key(self, key: str | bytes, clock: Callable[[], float]) -> Decision | float | None:
        """`decide` for a key and a clock; None when the table is closed."""
        if self.closed:
            return None
        high, low = hashed(key)
        return decision(self.hit(high, low, clock()), self.rules)

    # --- the algorithm ------------------------------------------------------------------

    def hit(
        self, high: int, low: int, now: float
    ) -> tuple[bool, float, list[tuple[int, float]]] | tuple[str, float]:
        """Count one request for the key, if every rule admits it.

        Returns (allowed, now, [(in-window count after this call, oldest time in window)
        per rule]), or (FULL, seconds until a slot frees) when no slot can hold the key.
        """
        if self.pid != os.getpid():
            self.reopen_after_fork()
        with self.thread_lock:  # lockf locks belong to the process, not the thread
            fcntl.lockf(self.fd, fcntl.LOCK_EX, 1, 0)
            try:
                return self._hit_locked(high, low, now)
            finally:
                fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, 0)

    def _find_slot(self, high: int, low: int, now: float) -> int | float:
        q, f, words, slots = self.q, self.f, self.slot_words, self.slots
        home = low % slots
        reuse, reuse_newest = -1, float("inf")
        soonest = float("inf")
        for step in range(self.max_probe):
            base = (HEADER_SIZE // _WORD) + ((home + step) % slots) * words
            stored = q[base]
            if stored == high and q[base + 1] == low:
                return base
            if stored == 0:
                if reuse < 0:
                    self._claim(base, high, low)
                    return base
                break
            newest = f[base + 2]
            if newest + self.longest <= now:
                if newest < reuse_newest:  # the oldest expired entry goes first
                    reuse, reuse_newest = base, newest
            else:
                soonest = min(soonest, newest + self.longest - now)
        if reuse >= 0:
            # a live entry for this key could only lie beyond an empty slot, which ends
            # the probe, or beyond max_probe, where it is never looked for: reuse is safe
            self._claim(reuse, high, low)
            return reuse
        return soonest

    def _claim(self, base: int, high: int, low: int) -> None:
        q, f = self.q, self.f
        q[base] = high
        q[base + 1] = low
        f[base + 2] = 0.0
        for offset, _, _ in self.layout:
            q[base + offset] = 0
            q[base + offset + 1] = 0

    def _hit_locked(
        self, high: int, low: int, now: float
    ) -> tuple[bool, float, list[tuple[int, float]]] | tuple[str, float]:
        base = self._find_slot(high, low, now)
        if isinstance(base, float):
            return FULL, base
        q, f = self.q, self.f
        now = max(now, f[base + 2])  # keep each ring sorted even if clocks step back
        allowed = True
        found: list[tuple[int, int, int, int, float]] = []
        for offset, limit, period in self.layout:
            head = q[base + offset]
            count = q[base + offset + 1]
            ring = base + offset + 2
            cutoff = now - period
            # lo: the first logical index whose time is inside the window
            if count == 0 or f[ring + head] > cutoff:  # PERF: a busy key, no search
                lo = 0
            elif f[ring + (head + count - 1) % limit] <= cutoff:  # an idle key
                lo = count
            else:
                lo, hi = 1, count - 1
                while lo < hi:
                    mid = (lo + hi) // 2
                    if f[ring + (head + mid) % limit] > cutoff:
                        hi = mid
                    else:
                        lo = mid + 1
            in_window = count - lo
            oldest = f[ring + (head + lo) % limit] if in_window else now
            if in_window >= limit:
                allowed = False
            found.append((head, count, ring, in_window, oldest))
        if not allowed:
            return False, now, [(n, oldest) for _, _, _, n, oldest in found]
        # Write order makes a writer killed midway harmless (docs/ratelimit.md): newest
        # first, then the time, then the count or head that makes the time count.
        f[base + 2] = now
        result = []
        for (offset, limit, _), (head, count, ring, in_window, oldest) in zip(
            self.layout, found, strict=True
        ):
            if count < limit:
                f[ring + (head + count) % limit] = now
                q[base + offset + 1] = count + 1
            else:
                f[ring + head] = now
                q[base + offset] = (head + 1) % limit
            result.append((in_window + 1, oldest))
        return True, now, result


def _only_user(fd: int) -> bool:
    """True when no other process has this table open (we can take the flock alone)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        # Linux drops the shared lock before trying the exclusive one: take it back.
        fcntl.flock(fd, fcntl.LOCK_SH)
        return False
    fcntl.flock(fd, fcntl.LOCK_SH)
    return True
