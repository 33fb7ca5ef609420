# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: always_allow_keywords=False
"""The compiled table (`altapi_ratelimit._ctable`): the whole hit at C level.

Same file layout and algorithm as `_table.Table` (see docs/ratelimit.md), but the
lock is a word in the header (byte 56) taken with a compare-and-swap that stores
the holder's pid, instead of `fcntl.lockf`: no system call on the way. A waiter
spins, then yields; when the holder's pid is dead (or a zombie) it steals the
lock, so a process killed while holding it cannot wedge the others, and the
write order below makes an update cut short harmless. The header's version is 2
so that a pure-Python process (version 1, lockf) refuses a table this one uses.

The two tables share the file handling (`TableFile`) and the algorithm, but not
the lock, and this one works on raw pointers into the mapping.

It also holds the hot paths around a hit (`LimiterFastPath`, `GuardFastPath`):
`RateLimiter.hit` and the usual `@rate_limit` guard's check and finish, in C,
made once in their owner's constructor and bound to the table once it is open.
"""

from libc.stdint cimport uint32_t, uint64_t
from libc.math cimport ceil
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy
cimport cython
from cpython.object cimport PyObject

from ._decision import Decision, decision
from ._table import _HASH_CACHE, FULL, TableFile, key_hash

import time as _time

cdef object _time_time = _time.time
# key -> its hash as two native u64 words (bytes); bounded like _table._hashes
cdef dict _words = {}
cdef Py_ssize_t HASH_CACHE = _HASH_CACHE

cdef extern from *:
    """
    #include <errno.h>
    #include <sched.h>
    #include <signal.h>
    #include <stdio.h>
    #include <string.h>
    #include <sys/mman.h>
    #include <sys/types.h>
    #include <pthread.h>
    #include <unistd.h>

    static volatile uint32_t rl_pid = 0;  /* this process's pid, kept right across fork */

    static void rl_after_fork_child(void) { rl_pid = (uint32_t)getpid(); }

    static int rl_init(void) {
        rl_pid = (uint32_t)getpid();
        return pthread_atfork(NULL, NULL, rl_after_fork_child);
    }

    static inline uint32_t rl_current_pid(void) { return rl_pid; }

    #include <time.h>
    static inline double rl_time(void) {  /* what time.time() returns */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    }

    static inline void rl_relax(void) {
    #if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
    #elif defined(__aarch64__)
        __asm__ __volatile__("yield");
    #endif
    }

    /* 1 when `pid` names no live process: gone (ESRCH) or a zombie nobody reaped. */
    static int rl_dead(uint32_t pid) {
        char path[64], buf[512];
        FILE *file;
        size_t n;
        char *close_paren;
        if (kill((pid_t)pid, 0) == -1) return errno == ESRCH;
        snprintf(path, sizeof path, "/proc/%u/stat", pid);
        file = fopen(path, "r");
        if (file == NULL) return 0;
        n = fread(buf, 1, sizeof buf - 1, file);
        fclose(file);
        buf[n] = 0;
        close_paren = strrchr(buf, ')');
        return close_paren != NULL && close_paren[1] == ' ' && close_paren[2] == 'Z';
    }

    /* Take the lock word for `me`; 1 if it was stolen from a dead holder, else 0. */
    static int rl_lock(uint32_t *word, uint32_t me) {
        unsigned spins = 0;
        for (;;) {
            uint32_t holder = 0;
            if (__atomic_compare_exchange_n(word, &holder, me, 0, __ATOMIC_ACQUIRE,
                                            __ATOMIC_RELAXED))
                return 0;
            /* A holder with our own pid is a dead process whose pid we reuse: we never
               hold the lock between calls, and the GIL keeps our threads out of it. */
            if (holder == me || (spins >= 256 && (spins & 63) == 0 && rl_dead(holder))) {
                if (__atomic_compare_exchange_n(word, &holder, me, 0, __ATOMIC_ACQUIRE,
                                                __ATOMIC_RELAXED))
                    return 1;
                continue;
            }
            spins++;
            if (spins < 128) rl_relax();
            else sched_yield();
        }
    }

    static inline void rl_unlock(uint32_t *word) { __atomic_store_n(word, 0, __ATOMIC_RELEASE); }

    static inline uint32_t rl_holder(uint32_t *word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }

    static char *rl_map(int fd, size_t size) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        return p == MAP_FAILED ? NULL : (char *)p;
    }

    static void rl_unmap(char *p, size_t size) { munmap(p, size); }

    /* A Decision (a tuple subclass without a __dict__) built without calling __new__. */
    static PyObject *rl_decision(PyObject *cls, int allowed, long limit, long remaining,
                                 double reset, double retry_after) {
        PyTypeObject *type = (PyTypeObject *)cls;
        PyObject *items[5];
        PyObject *result;
        int i;
        items[0] = allowed ? Py_True : Py_False;
        Py_INCREF(items[0]);
        items[1] = PyLong_FromLong(limit);
        items[2] = PyLong_FromLong(remaining);
        items[3] = PyFloat_FromDouble(reset);
        items[4] = PyFloat_FromDouble(retry_after);
        result = NULL;
        if (items[1] && items[2] && items[3] && items[4]) result = type->tp_alloc(type, 5);
        if (result == NULL) {
            for (i = 0; i < 5; i++) Py_XDECREF(items[i]);
            return NULL;
        }
        for (i = 0; i < 5; i++) PyTuple_SET_ITEM(result, i, items[i]);
        return result;
    }

    /* The header pair (name, b"<value>"), as (name, b"%d" % value) would be. */
    static PyObject *rl_field(PyObject *name, long long value) {
        char digits[24];
        char *end = digits + sizeof digits, *p = end;
        unsigned long long v = value < 0 ? 0ULL - (unsigned long long)value
                                         : (unsigned long long)value;
        PyObject *bytes, *pair;
        do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
        if (value < 0) *--p = '-';
        bytes = PyBytes_FromStringAndSize(p, end - p);
        if (bytes == NULL) return NULL;
        pair = PyTuple_New(2);
        if (pair == NULL) { Py_DECREF(bytes); return NULL; }
        Py_INCREF(name);
        PyTuple_SET_ITEM(pair, 0, name);
        PyTuple_SET_ITEM(pair, 1, bytes);
        return pair;
    }
    """
    int rl_init()
    uint32_t rl_current_pid()
    double rl_time()
    int rl_lock(uint32_t *word, uint32_t me) nogil
    void rl_unlock(uint32_t *word) nogil
    uint32_t rl_holder(uint32_t *word) nogil
    char *rl_map(int fd, size_t size)
    void rl_unmap(char *p, size_t size)
    object rl_decision(object cls, int allowed, long limit, long remaining, double reset,
                       double retry_after)
    tuple rl_field(bytes name, long long value)

if rl_init() != 0:
    raise ImportError("pthread_atfork failed")

DEF HEADER_WORDS = 8  # 64-byte header
DEF LOCK_OFFSET = 56

cdef double INF = float("inf")


cdef class _Core:
    """The mapping and the per-rule layout, as C values; the algorithm on them."""

    cdef char *mem
    cdef size_t mapped
    cdef uint64_t *q
    cdef double *f
    cdef uint32_t *lock_word
    cdef uint32_t mapped_pid
    cdef Py_ssize_t nslots, nwords, probes, nrules
    cdef double longest_period
    cdef Py_ssize_t *offsets
    cdef Py_ssize_t *limits
    cdef double *periods
    cdef Py_ssize_t *found  # per rule: head, count, ring, in_window (4 words each)
    cdef double *oldests
    cdef object decision_class

    def __cinit__(self, *args, **kwargs):
        self.mem = NULL
        self.offsets = NULL

    def __dealloc__(self):
        if self.mem != NULL:
            rl_unmap(self.mem, self.mapped)
        free(self.offsets)
        free(self.limits)
        free(self.periods)
        free(self.found)
        free(self.oldests)

    def _core_map(self, int fd, size_t size, rules, Py_ssize_t slots, Py_ssize_t words,
                  Py_ssize_t max_probe, double longest):
        cdef Py_ssize_t i, offset
        cdef char *mem = rl_map(fd, size)
        if mem == NULL:
            raise OSError("mmap of the rate-limit table failed")
        if self.offsets == NULL:
            n = len(rules)
            self.offsets = <Py_ssize_t *>malloc(n * sizeof(Py_ssize_t))
            self.limits = <Py_ssize_t *>malloc(n * sizeof(Py_ssize_t))
            self.periods = <double *>malloc(n * sizeof(double))
            self.found = <Py_ssize_t *>malloc(4 * n * sizeof(Py_ssize_t))
            self.oldests = <double *>malloc(n * sizeof(double))
            if not (self.offsets and self.limits and self.periods and self.found and self.oldests):
                rl_unmap(mem, size)
                raise MemoryError()
            offset = 3
            for i, (limit, period) in enumerate(rules):
                self.offsets[i] = offset
                self.limits[i] = limit
                self.periods[i] = period
                offset += 2 + limit
            self.nrules = n
        self.mem = mem
        self.mapped = size
        self.q = <uint64_t *>mem
        self.f = <double *>mem
        self.lock_word = <uint32_t *>(mem + LOCK_OFFSET)
        self.nslots = slots
        self.nwords = words
        self.probes = max_probe
        self.longest_period = longest
        self.mapped_pid = rl_current_pid()
        self.decision_class = Decision

    def _core_unmap(self):
        if self.mem != NULL:
            rl_unmap(self.mem, self.mapped)
            self.mem = NULL

    # --- the lock, for tests ------------------------------------------------------------

    def acquire(self):
        """Take the table's lock (for tests: hold it as in the middle of an update)."""
        self._ready()
        return bool(rl_lock(self.lock_word, rl_current_pid()))

    def release(self):
        rl_unlock(self.lock_word)

    def lock_holder(self):
        """The pid in the lock word, 0 when free."""
        return rl_holder(self.lock_word)

    # --- the algorithm ------------------------------------------------------------------

    cdef inline int _ready(self) except -1:
        if self.mem == NULL:
            raise ValueError("the rate-limit table is closed")
        if self.mapped_pid != rl_current_pid():
            self.reopen_after_fork()  # a forked child: a flock and a mapping of its own
        return 0

    cdef void _claim(self, Py_ssize_t base, uint64_t high, uint64_t low) noexcept:
        cdef Py_ssize_t r, offset
        self.q[base] = high
        self.q[base + 1] = low
        self.f[base + 2] = 0.0
        for r in range(self.nrules):
            offset = self.offsets[r]
            self.q[base + offset] = 0
            self.q[base + offset + 1] = 0

    cdef Py_ssize_t _find_slot(self, uint64_t high, uint64_t low, double now,
                               double *soonest) noexcept:
        """The slot's first word, or -1 when full (`soonest`: seconds until one frees)."""
        cdef uint64_t *q = self.q
        cdef double *f = self.f
        cdef Py_ssize_t home = <Py_ssize_t>(low % <uint64_t>self.nslots)
        cdef Py_ssize_t reuse = -1, step, base
        cdef double reuse_newest = INF, newest, wait
        cdef uint64_t stored
        soonest[0] = INF
        for step in range(self.probes):
            base = HEADER_WORDS + ((home + step) % self.nslots) * self.nwords
            stored = q[base]
            if stored == high and q[base + 1] == low:
                return base
            if stored == 0:
                if reuse < 0:
                    self._claim(base, high, low)
                    return base
                break
            newest = f[base + 2]
            if newest + self.longest_period <= now:
                if newest < reuse_newest:  # the oldest expired entry goes first
                    reuse = base
                    reuse_newest = newest
            else:
                wait = newest + self.longest_period - now
                if wait < soonest[0]:
                    soonest[0] = wait
        if reuse >= 0:
            self._claim(reuse, high, low)
            return reuse
        return -1

    cdef int _hit_locked(self, uint64_t high, uint64_t low, double *now_io) noexcept:
        """1 admitted, 0 refused, -1 full (then now_io holds the wait). Fills found/oldests."""
        cdef uint64_t *q = self.q
        cdef double *f = self.f
        cdef double now = now_io[0], soonest, cutoff, period
        cdef Py_ssize_t base = self._find_slot(high, low, now, &soonest)
        cdef Py_ssize_t r, offset, limit, head, count, ring, lo, hi, mid, in_window
        cdef int allowed = 1
        cdef Py_ssize_t *found = self.found
        if base < 0:
            now_io[0] = soonest
            return -1
        if f[base + 2] > now:  # keep each ring sorted even if clocks step back
            now = f[base + 2]
        for r in range(self.nrules):
            offset = self.offsets[r]
            limit = self.limits[r]
            period = self.periods[r]
            head = <Py_ssize_t>q[base + offset]
            count = <Py_ssize_t>q[base + offset + 1]
            ring = base + offset + 2
            cutoff = now - period
            if count == 0 or f[ring + head] > cutoff:  # a busy key, no search
                lo = 0
            elif f[ring + (head + count - 1) % limit] <= cutoff:  # an idle key
                lo = count
            else:
                lo = 1
                hi = count - 1
                while lo < hi:
                    mid = (lo + hi) // 2
                    if f[ring + (head + mid) % limit] > cutoff:
                        hi = mid
                    else:
                        lo = mid + 1
            in_window = count - lo
            self.oldests[r] = f[ring + (head + lo) % limit] if in_window else now
            if in_window >= limit:
                allowed = 0
            found[4 * r] = head
            found[4 * r + 1] = count
            found[4 * r + 2] = ring
            found[4 * r + 3] = in_window
        now_io[0] = now
        if not allowed:
            return 0
        # The write order makes a writer killed midway harmless (docs/ratelimit.md):
        # newest first, then the time, then the count or head that makes the time count.
        f[base + 2] = now
        for r in range(self.nrules):
            offset = self.offsets[r]
            limit = self.limits[r]
            head = found[4 * r]
            count = found[4 * r + 1]
            ring = found[4 * r + 2]
            if count < limit:
                f[ring + (head + count) % limit] = now
                q[base + offset + 1] = <uint64_t>(count + 1)
            else:
                f[ring + head] = now
                q[base + offset] = <uint64_t>((head + 1) % limit)
            found[4 * r + 3] += 1
        return 1

    cdef int _locked(self, uint64_t high, uint64_t low, double *now_io) except -2:
        cdef int outcome
        self._ready()
        rl_lock(self.lock_word, self.mapped_pid)
        outcome = self._hit_locked(high, low, now_io)
        rl_unlock(self.lock_word)
        return outcome

    def hit(self, uint64_t high, uint64_t low, double now):
        """As `_table.Table.hit`: (allowed, now, [(in-window count, oldest) per rule]),
        or (FULL, seconds until a slot frees)."""
        cdef int outcome = self._locked(high, low, &now)
        cdef Py_ssize_t r
        if outcome < 0:
            return FULL, now
        return (
            bool(outcome),
            now,
            [(self.found[4 * r + 3], self.oldests[r]) for r in range(self.nrules)],
        )

    def decide(self, uint64_t high, uint64_t low, double now):
        """The Decision for one hit, or the seconds until a slot frees when full."""
        return self._decide(high, low, now)

    cdef object _decide(self, uint64_t high, uint64_t low, double now):
        cdef int outcome = self._locked(high, low, &now)
        return self._decision(outcome, now)

    cdef object _decision(self, int outcome, double now):
        """The Decision for `_locked`'s outcome, or the seconds until a slot frees."""
        cdef Py_ssize_t limit
        cdef double reset
        if outcome < 0:
            return now
        if self.nrules != 1:
            return decision(self.hit_outcome(outcome, now), self.rules)
        limit = self.limits[0]
        reset = self.oldests[0] + self.periods[0]
        if outcome:
            return rl_decision(self.decision_class, 1, limit, limit - self.found[3], reset, 0.0)
        return rl_decision(self.decision_class, 0, limit, 0, reset, reset - now)

    def decide_key(self, key, clock):
        """`RateLimiter.hit` but for the when_full policy: hash the key (cached), read
        the clock, decide. None when the table is closed (the limiter reopens it)."""
        cdef double now
        cdef int outcome
        if self.mem == NULL:
            return None
        outcome = self._hit_key(key, clock, &now)
        return self._decision(outcome, now)

    cdef int _hit_key(self, key, clock, double *now) except -2:
        """`_locked` for a key (its hash cached) at the clock's time (left in `now`)."""
        # PERF: C calls all the way down (it was a Python call of `decide`, boxing the
        # hash and the time again), and the hash cached as two C words.
        cdef object words = _words.get(key)
        cdef uint64_t pair[2]
        if words is None:
            pair[0], pair[1] = key_hash(key)
            if len(_words) >= HASH_CACHE:
                _words.clear()
            words = _words[key] = (<char *>pair)[:16]
        memcpy(pair, <char *>(<bytes>words), 16)
        now[0] = rl_time() if clock is _time_time else clock()
        return self._locked(pair[0], pair[1], now)

    cdef object hit_outcome(self, int outcome, double now):
        cdef Py_ssize_t r
        return (
            bool(outcome),
            now,
            [(self.found[4 * r + 3], self.oldests[r]) for r in range(self.nrules)],
        )


@cython.binding(False)  # PERF: a plain C method (METH_O)
cdef class LimiterFastPath:
    """`RateLimiter.hit` at C level (PERF: no Python frame, ~25% of a hit), made in
    the limiter's constructor and bound to its table once open (`bind`). Unbound or
    closed, it goes back to `reopen(key)` (the Python `hit`, which opens the table
    and binds it); a full table goes to `full(seconds)`."""

    cdef _Core table
    cdef object clock, reopen, full

    def __init__(self, clock, reopen, full):
        self.table = None
        self.clock = clock
        self.reopen = reopen
        self.full = full

    def bind(self, _Core table):
        """Use `table` from now on (None: go back to `reopen` until bound again)."""
        self.table = table

    def hit(self, key):
        cdef _Core table = self.table
        cdef double now
        cdef int outcome
        if table is None or table.mem == NULL:
            return self.reopen(key)
        outcome = table._hit_key(key, self.clock, &now)
        if outcome < 0:
            return self.full(now)
        return table._decision(outcome, now)


DEF SMALL = 256  # remaining counts below this keep their header pair


@cython.freelist(32)
cdef class Admitted:
    """The fast path's token for an admitted request: its Decision's fields, as C
    values (PERF: no Decision, no int or float objects to make and free)."""

    cdef readonly long long limit, remaining
    cdef readonly double reset

    def decision(self):
        return Decision(True, self.limit, self.remaining, self.reset, 0.0)

    def headers(self):
        """As `Decision.headers` (`Guard.amend` calls it for an HTTPException)."""
        return self.decision().headers()


@cython.binding(False)  # PERF: plain C methods (METH_O check): ~150 instructions a call less
cdef class GuardFastPath:
    """`Guard.check` and `Guard.finish` at C level, for the usual `@rate_limit` guard:
    the default key (the client address), no skip test, a `RateLimiter` on this table,
    no IETF fields. Made in the guard's constructor as its `check` and `finish`, bound
    to the limiter's table once the first (Python) check has opened it.

    `check` returns an `Admitted` token, or hands its outcome to `settle(request,
    outcome)` in Python: a refusal, a batch's Decision, a full table (a float), a
    closed or not yet bound table (None). `finish` takes an `Admitted` or a `Decision`.
    """

    cdef _Core table
    cdef object clock
    cdef object settle
    cdef object decision_class
    # PERF: header pairs are immutable, so repeated values share one: the limit (always
    # the same with one rule), the reset second (the same for a busy key), small counts.
    cdef long long limit, reset
    cdef tuple limit_pair, reset_pair
    cdef list remaining_pairs

    def __init__(self, clock, settle):
        self.table = None
        self.clock = clock
        self.settle = settle
        self.decision_class = Decision
        self.limit = self.reset = -1
        self.remaining_pairs = [None] * SMALL

    def bind(self, _Core table):
        """Use `table` from now on (None: hand every check to `settle` until bound again)."""
        self.table = table

    def check(self, request):
        cdef _Core table = self.table
        cdef object scope = request.scope
        cdef object client
        cdef Admitted token
        cdef double now
        cdef int outcome
        if table is None or table.mem == NULL:
            return self.settle(request, None)
        if type(scope) is dict:
            client = (<dict>scope).get("client")
        else:
            client = scope.get("client")
        outcome = table._hit_key(client[0] if client else "unknown", self.clock, &now)
        if outcome != 1 or table.nrules != 1:
            return self.settle(request, table._decision(outcome, now))
        token = Admitted.__new__(Admitted)
        token.limit = table.limits[0]
        token.remaining = table.limits[0] - table.found[3]
        token.reset = table.oldests[0] + table.periods[0]
        return token

    def finish(self, response, token):
        """Append the X-RateLimit-* fields (as `Decision.raw_headers`) to the response."""
        cdef long long limit, remaining, reset
        cdef object raw, pair
        if type(token) is Admitted:
            limit = (<Admitted>token).limit
            remaining = (<Admitted>token).remaining
            reset = <long long>ceil((<Admitted>token).reset)
        elif isinstance(token, self.decision_class):
            limit = (<tuple>token)[1]
            remaining = (<tuple>token)[2]
            reset = <long long>ceil(<double>(<tuple>token)[3])
        elif token is None:  # skipped
            return
        else:
            raise TypeError(f"an Admitted token or a Decision, not {token!r}")
        raw = response.raw_headers
        if type(raw) is not list:
            response.raw_headers = raw = list(raw)
        if limit != self.limit:
            self.limit_pair = rl_field(b"x-ratelimit-limit", limit)
            self.limit = limit
        (<list>raw).append(self.limit_pair)
        if 0 <= remaining < SMALL:
            pair = self.remaining_pairs[remaining]
            if pair is None:
                pair = self.remaining_pairs[remaining] = rl_field(
                    b"x-ratelimit-remaining", remaining
                )
        else:
            pair = rl_field(b"x-ratelimit-remaining", remaining)
        (<list>raw).append(pair)
        if reset != self.reset:
            self.reset_pair = rl_field(b"x-ratelimit-reset", reset)
            self.reset = reset
        (<list>raw).append(self.reset_pair)


class Table(_Core, TableFile):
    """The compiled table: `TableFile`'s file handling, `_Core`'s lock and algorithm."""

    VERSION = 2
    # The C paths a limiter and a guard on this kind of table make in their constructors.
    LimiterFastPath = LimiterFastPath
    GuardFastPath = GuardFastPath

    def _map(self, fd):
        self._core_map(
            fd,
            self.size,
            self.rules,
            self.slots,
            self.slot_words,
            self.max_probe,
            self.longest,
        )

    def _unmap(self):
        self._core_unmap()
