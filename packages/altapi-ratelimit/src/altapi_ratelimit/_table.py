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
     56  reserved     8 bytes
    slots, `slot count` x `slot words` x 8 bytes, from byte 64
      word 0  key hash, high half (u64, never 0: 0 marks an empty slot)
      word 1  key hash, low half (u64)
      word 2  newest admission time (f64); the slot is expired once
              newest + longest period <= now
      then for each rule: head (u64), count (u64), ring of `limit` f64 times

Every read-modify-write happens under a POSIX record lock (`fcntl.lockf`) on
byte 0 of the file; the kernel drops it when its holder dies. A shared
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
from collections.abc import Sequence
from typing import Any

__all__ = ["FULL", "Table", "key_hash"]

MAGIC = b"ALTAPIRL"
VERSION = 1
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


def rules_digest(rules: Sequence[tuple[int, float]]) -> bytes:
    text = ";".join(f"{limit}/{float(period)!r}" for limit, period in rules)
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def slot_words(rules: Sequence[tuple[int, float]]) -> int:
    return _SLOT_FIXED + sum(_RULE_FIXED + limit for limit, _ in rules)


class Table:
    """One process's view of a shared table; reopened transparently after a fork."""

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
            self.mm = mmap.mmap(fd, self.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except BaseException:
            os.close(fd)
            raise
        view = memoryview(self.mm)
        self._views: list[memoryview[Any]] = [view, view.cast("Q"), view.cast("d")]
        self.q: Any = self._views[1]  # the slots as u64 words
        self.f: Any = self._views[2]  # the same words as f64
        self.fd = fd
        self.pid = os.getpid()
        self.thread_lock = threading.Lock()

    def _initialise(self, fd: int) -> None:
        fcntl.lockf(fd, fcntl.LOCK_EX, 1, 0)
        try:
            header = os.pread(fd, HEADER_SIZE, 0)
            if len(header) == HEADER_SIZE and header[:8] == MAGIC:
                fields = _HEADER.unpack(header)
                if fields[1:5] == (VERSION, HEADER_SIZE, self.slots, self.slot_words) and (
                    fields[7] == self.digest
                ):
                    return
                if not _only_user(fd):
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
                    VERSION,
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

    def _release_views(self) -> None:
        for view in reversed(self._views):
            view.release()
        self._views = []

    def reopen_after_fork(self) -> None:
        # The fd shares its open file description (and its flock) with the parent:
        # close our copy without unlocking, then open the file anew.
        self._release_views()
        self.mm.close()
        os.close(self.fd)
        self._open()

    def close(self) -> None:
        """Unmap; the last process to close the table removes the file."""
        if self.closed:
            return
        self.closed = True
        if self.pid != os.getpid():  # inherited through fork and never reopened here
            return
        self._release_views()
        self.mm.close()
        try:
            if _only_user(self.fd):
                try:
                    if os.stat(self.path).st_ino == os.fstat(self.fd).st_ino:
                        os.unlink(self.path)
                except FileNotFoundError:
                    pass
        finally:
            os.close(self.fd)

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
