# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, binding=False
"""The compiled matcher (`altapi_router._ctree`): a frozen copy of the pure tree.

`Tree` keeps a pure-Python `_tree.Tree` for everything but `match`: adding routes
(conflicts, precedence order), `allowed_methods`, `match_segments`. On the first
`match` after an `add` it freezes that tree into flat C arrays (`_Tables`) and
walks them without touching a Python object: segments are found in the path
string itself, a static child by a signature of the segment (its length and end
characters; hashed in a wide node), then memcmp; a parameter's value is cut out
only once the whole route has matched. Same precedence and backtracking as
`_tree._walk`, which the parity tests check. See docs/router.md.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.ref cimport Py_DECREF, Py_REFCNT, PyObject
from libc.string cimport memchr, memcmp, memcpy, memset

from . import _tree

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_GET_LENGTH(object)
    int PyUnicode_KIND(object)
    void* PyUnicode_DATA(object)
    bint PyUnicode_IS_ASCII(object)
    unsigned int PyUnicode_READ(int kind, void* data, Py_ssize_t index)  # a code point
    object PyUnicode_Substring(object, Py_ssize_t, Py_ssize_t)
    PyObject* PyDict_GetItemWithError(object, object)
    Py_ssize_t PyDict_GET_SIZE(object)
    PyObject* PyTuple_GET_ITEM(object, Py_ssize_t)
    int PyDict_SetItem(object, object, object) except -1
    # Raw calls for the walk, which has no Python frame to raise in: errors are checked by hand.
    PyObject* PyObject_CallMethodOneArg(object, object, object)
    int PyErr_ExceptionMatches(object)
    void PyErr_Clear()
    int PyList_Append(PyObject*, PyObject*)
    Py_ssize_t PyList_GET_SIZE(PyObject*)
    int PyList_SetSlice(PyObject*, Py_ssize_t, Py_ssize_t, PyObject*)
    Py_ssize_t PyUnicode_FindChar(PyObject*, unsigned int, Py_ssize_t, Py_ssize_t, int)
    # The values' hot path, with references counted by hand (new references returned).
    PyObject* _new_str "PyUnicode_New"(Py_ssize_t, unsigned int)
    PyObject* _from_ordinal "PyUnicode_FromOrdinal"(int)
    PyObject* _cut "PyUnicode_Substring"(PyObject*, Py_ssize_t, Py_ssize_t)
    PyObject* _long "PyLong_FromLongLong"(long long)
    PyObject* _long_from_str "PyLong_FromUnicodeObject"(PyObject*, int)
    PyObject* _item "PyTuple_GET_ITEM"(PyObject*, Py_ssize_t)  # borrowed
    int _set "PyDict_SetItem"(object, PyObject*, PyObject*)
    void _decref "Py_DECREF"(PyObject*)
    int _next "PyDict_Next"(PyObject*, Py_ssize_t*, PyObject**, PyObject**)
    int _set_add "PySet_Add"(PyObject*, PyObject*)
    PyObject* _new_set "PySet_New"(PyObject*)

cdef extern from *:
    """
    #ifdef Py_GIL_DISABLED  /* reference counts are no proof of sole ownership there */
    #define ALTAPI_RECYCLE 0
    #else
    #define ALTAPI_RECYCLE 1
    #endif
    """
    bint ALTAPI_RECYCLE

cdef enum:  # edge kinds, as in _tree (checked below): constants the C compiler can see
    _STR = 0
    _INT = 1
    _CONVERTER = 2
    _COMPOUND = 3
    _GREEDY = 4

assert (_tree._STR, _tree._INT, _tree._CONVERTER, _tree._COMPOUND, _tree._GREEDY) == (0, 1, 2, 3, 4)

cdef enum:
    MAX_DEPTH = 48  # a tree deeper than this many segments is matched by the pure tree
    MAX_CACHED_PATH = 256  # longer paths are not kept in the result cache (as in _tree)
    LINEAR_MAX = 8  # a node with more static children than this finds them by hash

NO_METHODS = _tree.NO_METHODS


cdef class _Leaf:
    cdef object handler
    cdef tuple names
    cdef Py_ssize_t count  # len(names)
    cdef tuple spare  # the last (handler, params) returned: reused once its caller let go

    def __cinit__(self, object route):
        self.handler = route.handler
        self.names = route.param_names
        self.count = len(self.names)


cdef struct _Node:
    Py_ssize_t static_first  # its static children: statics[static_first:+static_count]
    Py_ssize_t static_count
    Py_ssize_t edge_first  # its parameter edges, in precedence order
    Py_ssize_t edge_count
    Py_ssize_t slot_first  # its hash table in slots[], when static_count > LINEAR_MAX
    int shift  # 64 - log2(the table's size)
    PyObject* get  # the GET _Leaf, or NULL; borrowed (the _Frozen keeps it)
    PyObject* routes  # method -> _Leaf, or NULL when no route ends here; borrowed


cdef struct _Static:
    unsigned long long sig  # _sig of the key: most keys are ruled out by it alone
    Py_ssize_t size
    int kind
    void* data  # the key's characters; the _Frozen keeps the str
    Py_ssize_t child  # index in nodes[]


cdef struct _Edge:
    int kind
    Py_ssize_t child
    PyObject* matcher  # borrowed


cdef struct _Tables:
    _Node* nodes
    _Static* statics
    _Edge* edges
    Py_ssize_t* slots  # open addressing: a static's index + 1, 0 for empty


cdef class _Frozen:
    """The tree as flat arrays, and the Python objects they point into."""

    cdef _Tables t
    cdef list keep
    cdef Py_ssize_t deepest  # segments in the longest route
    cdef bint converts  # some edge converts in Python: the walk needs a values list

    def __dealloc__(self):
        PyMem_Free(self.t.nodes)
        PyMem_Free(self.t.statics)
        PyMem_Free(self.t.edges)
        PyMem_Free(self.t.slots)


cdef inline unsigned long long _sig(Py_ssize_t size, unsigned int first, unsigned int last):
    # A segment's length and its first and last code points in one word.
    return (<unsigned long long>(size & 0x3FFFFF) << 42) | (<unsigned long long>first << 21) | last


cdef inline Py_ssize_t _slot(unsigned long long sig, int shift):
    return <Py_ssize_t>((sig * 0x9E3779B97F4A7C15ULL) >> shift)


cdef void* _alloc(Py_ssize_t count, size_t size) except NULL:
    cdef void* block = PyMem_Malloc(count * size + 1)
    if block == NULL:
        raise MemoryError
    memset(block, 0, count * size + 1)
    return block


cdef _Frozen _freeze(object root):
    """Number the pure tree's nodes breadth first and copy them into _Tables."""
    cdef _Frozen frozen = _Frozen.__new__(_Frozen)
    cdef _Node* node
    cdef _Static* static
    cdef Py_ssize_t n, s = 0, e = 0, slot_total = 0, size, at, bits
    order = [root]
    depths = [0]
    n = 0
    while n < len(order):
        source = order[n]
        order.extend(source.static.values())
        order.extend([edge.node for edge in source.edges])
        depths.extend([depths[n] + 1] * (len(order) - len(depths)))
        for edge in source.edges:
            frozen.converts |= edge.kind == _CONVERTER or edge.kind == _COMPOUND
        n += 1
    frozen.deepest = depths[len(depths) - 1]
    index = {id(source): k for k, source in enumerate(order)}
    for source in order:
        if len(source.static) > LINEAR_MAX:
            slot_total += _table_size(len(source.static))
    frozen.keep = []
    frozen.t.nodes = <_Node*>_alloc(len(order), sizeof(_Node))
    frozen.t.statics = <_Static*>_alloc(sum([len(x.static) for x in order]), sizeof(_Static))
    frozen.t.edges = <_Edge*>_alloc(sum([len(x.edges) for x in order]), sizeof(_Edge))
    frozen.t.slots = <Py_ssize_t*>_alloc(slot_total, sizeof(Py_ssize_t))
    slot_total = 0
    for n in range(len(order)):
        source = order[n]
        node = &frozen.t.nodes[n]
        node.static_first = s
        node.static_count = len(source.static)
        for key, child in source.static.items():
            static = &frozen.t.statics[s]
            size = len(key)
            static.size = size
            static.kind = PyUnicode_KIND(key)
            static.data = PyUnicode_DATA(key)
            static.sig = _sig(size, ord(key[0]) if size else 0, ord(key[size - 1]) if size else 0)
            static.child = index[id(child)]
            frozen.keep.append(key)
            s += 1
        if node.static_count > LINEAR_MAX:
            size = _table_size(node.static_count)
            bits = size.bit_length() - 1
            node.shift = 64 - bits
            node.slot_first = slot_total
            for k in range(node.static_first, s):
                at = _slot(frozen.t.statics[k].sig, node.shift)
                while frozen.t.slots[slot_total + at] != 0:
                    at = (at + 1) & (size - 1)
                frozen.t.slots[slot_total + at] = k + 1
            slot_total += size
        node.edge_first = e
        node.edge_count = len(source.edges)
        for edge in source.edges:
            frozen.t.edges[e].kind = edge.kind
            frozen.t.edges[e].child = index[id(edge.node)]
            frozen.t.edges[e].matcher = <PyObject*>edge.matcher
            frozen.keep.append(edge.matcher)
            e += 1
        if source.routes is not None:
            routes = {method: _Leaf(route) for method, route in source.routes.items()}
            frozen.keep.append(routes)
            node.routes = <PyObject*>routes
            get = routes.get("GET")
            node.get = <PyObject*>get if get is not None else NULL
    return frozen


cdef Py_ssize_t _table_size(Py_ssize_t count):
    cdef Py_ssize_t size = 16
    while size < 2 * count:
        size *= 2
    return size


cdef struct _Path:
    # The path being matched, and the parameter segments taken so far.
    _Tables* t
    void* data
    int kind
    Py_ssize_t length
    PyObject* path
    PyObject* method  # NULL: every method, gathered into methods (allowed_methods)
    PyObject* methods  # when method is NULL: a set (a new reference), or NULL until a leaf
    bint is_get
    bint ascii  # every character below 128: values are made with PyUnicode_New
    PyObject* values  # list of converted values, or NULL when no edge converts
    bint error  # a converter raised something other than ValueError
    Py_ssize_t depth
    _Edge* edges[MAX_DEPTH]
    Py_ssize_t starts[MAX_DEPTH]
    Py_ssize_t ends[MAX_DEPTH]


cdef inline bint _start(_Path* p, _Frozen frozen, str path) noexcept:
    """Set p up to walk `path` (method and values aside); False if it does not start with '/'."""
    p.kind = PyUnicode_KIND(path)
    p.data = PyUnicode_DATA(path)
    p.length = PyUnicode_GET_LENGTH(path)
    if p.length == 0 or PyUnicode_READ(p.kind, p.data, 0) != 47:
        return False
    p.t = &frozen.t
    p.ascii = p.kind == 1 and PyUnicode_IS_ASCII(path)
    p.path = <PyObject*>path
    p.values = NULL
    p.error = False
    p.depth = 0
    return True


cdef inline bint _equals(_Path* p, Py_ssize_t start, Py_ssize_t size, _Static* key) noexcept:
    cdef Py_ssize_t i
    cdef const unsigned char* a
    cdef const unsigned char* b
    if key.kind == p.kind == 1:  # the signature matched the ends: compare what lies between
        a = <const unsigned char*>p.data + start
        b = <const unsigned char*>key.data
        for i in range(1, size - 1):
            if a[i] != b[i]:
                return False
        return True
    if key.kind == p.kind:
        return memcmp(<char*>p.data + start * p.kind, key.data, size * p.kind) == 0
    for i in range(size):  # a segment of a wide path can still equal a narrow key
        if PyUnicode_READ(p.kind, p.data, start + i) != PyUnicode_READ(key.kind, key.data, i):
            return False
    return True


cdef inline Py_ssize_t _find_static(_Path* p, _Node* node, Py_ssize_t start, Py_ssize_t size) noexcept:
    """The index in statics[] of the child whose key is the segment, or -1."""
    cdef unsigned long long sig
    cdef _Static* key
    cdef Py_ssize_t k, at, mask
    if size and p.kind == 1:
        sig = _sig(size, (<unsigned char*>p.data)[start], (<unsigned char*>p.data)[start + size - 1])
    elif size:
        sig = _sig(size, PyUnicode_READ(p.kind, p.data, start), PyUnicode_READ(p.kind, p.data, start + size - 1))
    else:
        sig = 0
    if node.static_count <= LINEAR_MAX:
        for k in range(node.static_first, node.static_first + node.static_count):
            key = &p.t.statics[k]
            if key.sig == sig and key.size == size and _equals(p, start, size, key):
                return k
        return -1
    mask = (<Py_ssize_t>1 << (64 - node.shift)) - 1
    at = _slot(sig, node.shift)
    while True:
        k = p.t.slots[node.slot_first + at] - 1
        if k < 0:
            return -1
        key = &p.t.statics[k]
        if key.sig == sig and key.size == size and _equals(p, start, size, key):
            return k
        at = (at + 1) & mask


cdef inline PyObject* _leaf(_Path* p, _Node* node) noexcept:
    """The node's _Leaf for the method, or NULL (always, with no method: see allowed_methods)."""
    if node.routes == NULL:
        return NULL
    if p.is_get:
        return node.get
    if p.method == NULL:  # allowed_methods: gather, then go on as if nothing matched
        if _gather(p, node.routes) < 0:
            p.error = True
        return NULL
    return PyDict_GetItemWithError(<object>node.routes, <object>p.method)  # a str: cannot fail


cdef int _gather(_Path* p, PyObject* routes) noexcept:
    """Add the keys of `routes` (method -> _Leaf) to the set p.methods (a new reference,
    made here the first time); -1 on failure."""
    cdef Py_ssize_t at = 0
    cdef PyObject* key
    cdef PyObject* value
    if p.methods == NULL:
        p.methods = _new_set(NULL)
        if p.methods == NULL:
            return -1
    while _next(routes, &at, &key, &value):
        if _set_add(p.methods, key) < 0:
            return -1
    return 0


cdef inline bint _is_int(_Path* p, Py_ssize_t start, Py_ssize_t end) noexcept:
    cdef unsigned int c
    cdef Py_ssize_t i
    if start == end:
        return False
    for i in range(start, end):
        c = PyUnicode_READ(p.kind, p.data, i)
        if c < 48 or c > 57:  # ASCII digits only, as str.isascii() and str.isdigit()
            return False
    return True


cdef int _convert(_Path* p, _Edge* edge, Py_ssize_t start, Py_ssize_t end) noexcept:
    """Run a Python converter on the segment: 1 and its values kept, 0 when it refuses
    (ValueError), -1 when it raised something else (left pending for match to raise)."""
    cdef PyObject* value
    cdef int failed
    segment = PyUnicode_Substring(<object>p.path, start, end)
    value = PyObject_CallMethodOneArg(<object>edge.matcher, "convert", segment)
    if value == NULL:
        if PyErr_ExceptionMatches(ValueError):
            PyErr_Clear()
            return 0
        return -1
    if edge.kind == _CONVERTER:
        failed = PyList_Append(p.values, value)
    else:
        failed = _extend(p.values, value)
    Py_DECREF(<object>value)
    return -1 if failed else 1


cdef int _extend(PyObject* values, PyObject* more) noexcept:
    cdef PyObject* done = PyObject_CallMethodOneArg(<object>values, "extend", <object>more)
    if done == NULL:
        return -1
    Py_DECREF(<object>done)
    return 0


cdef inline PyObject* _after(_Path* p, Py_ssize_t n, Py_ssize_t end) noexcept:
    """_walk from node n, whose segment ended at end: the node's leaf if the path did."""
    if end == p.length:
        return _leaf(p, &p.t.nodes[n])
    return _walk(p, n, end + 1)


cdef PyObject* _walk(_Path* p, Py_ssize_t n, Py_ssize_t start) noexcept:
    """The first _Leaf (borrowed) matching path[start:] from node n, or NULL; as _tree._walk.

    A segment starts at start (<= the path's length; it may be empty).
    NULL with p.error set: a converter raised (the exception is pending)."""
    cdef _Node* node = &p.t.nodes[n]
    cdef Py_ssize_t end, size, k, depth, taken = 0
    cdef char* slash
    cdef _Edge* edge
    cdef PyObject* found
    cdef int converted
    if p.kind == 1:
        slash = <char*>memchr(<char*>p.data + start, 47, p.length - start)  # '/'
        end = p.length if slash == NULL else slash - <char*>p.data
    else:  # a wider string: -1 when no '/' is left (its -2, an error, needs a bad range)
        end = PyUnicode_FindChar(p.path, 47, start, p.length, 1)
        if end < 0:
            end = p.length
    size = end - start
    if node.static_count:
        k = _find_static(p, node, start, size)
        if k >= 0:
            if node.edge_count == 0:  # nothing to fall back to: a tail call
                return _after(p, p.t.statics[k].child, end)
            found = _after(p, p.t.statics[k].child, end)
            if found != NULL or p.error:
                return found
    if node.edge_count == 0:
        return NULL
    depth = p.depth
    if p.values != NULL:
        taken = PyList_GET_SIZE(p.values)
    for k in range(node.edge_first, node.edge_first + node.edge_count):
        edge = &p.t.edges[k]
        if edge.kind == _STR:
            if size == 0:
                continue
        elif edge.kind == _INT:
            if not _is_int(p, start, end):
                continue
        elif edge.kind == _GREEDY:
            found = _leaf(p, &p.t.nodes[edge.child])
            if found == NULL:
                if p.error:  # allowed_methods could not gather (no memory)
                    return NULL
                continue
            p.edges[depth] = edge
            p.starts[depth] = start
            p.ends[depth] = p.length
            p.depth = depth + 1
            return found
        else:
            converted = _convert(p, edge, start, end)
            if converted < 0:
                p.error = True
                return NULL
            if converted == 0:
                continue
        p.edges[depth] = edge
        p.starts[depth] = start
        p.ends[depth] = end
        p.depth = depth + 1
        found = _after(p, edge.child, end)
        if found != NULL or p.error:
            return found
        p.depth = depth
        if p.values != NULL and taken < PyList_GET_SIZE(p.values):
            PyList_SetSlice(p.values, taken, PyList_GET_SIZE(p.values), NULL)
    return NULL


cdef PyObject* _substring(_Path* p, Py_ssize_t start, Py_ssize_t end) noexcept:
    """path[start:end], a new reference (NULL with an exception set)."""
    cdef PyObject* value
    if end - start == 1:  # CPython's own one-character strings: nothing to allocate or free
        return _from_ordinal(PyUnicode_READ(p.kind, p.data, start))
    if p.ascii:
        value = _new_str(end - start, 127)
        if value != NULL:
            memcpy(PyUnicode_DATA(<object>value), <char*>p.data + start, end - start)
        return value
    return _cut(p.path, start, end)


cdef PyObject* _int(_Path* p, Py_ssize_t start, Py_ssize_t end) noexcept:
    """int(path[start:end]), a new reference (NULL with an exception set)."""
    cdef long long value = 0
    cdef Py_ssize_t i
    cdef PyObject* digits
    cdef PyObject* number
    if end - start > 18:
        digits = _cut(p.path, start, end)
        if digits == NULL:
            return NULL
        number = _long_from_str(digits, 10)
        _decref(digits)
        return number
    for i in range(start, end):
        value = value * 10 + (PyUnicode_READ(p.kind, p.data, i) - 48)
    return _long(value)


cdef int _raise_pending() except -1:
    return -1  # the exception a converter raised is set: Cython raises it from here


cdef tuple _result(_Leaf leaf, _Path* p):
    """(handler, parameters) for the matched leaf, in the leaf's spare tuple when it can.

    PERF: when nobody but the leaf holds its last result any more (the caller has
    dropped it, as a server has by the next request to the route), its tuple and
    dict are filled in again instead of made anew, which saves the allocations and
    frees of a tuple, a dict and its table (242 of 2,887 instructions a lookup on a
    mix of all path classes, 265 of 2,130 on a static path). Nothing is shared:
    a result is reused only when its reference counts say no one else can see it,
    and only if it still has exactly the route's keys. The values are new each time.
    """
    cdef tuple spare = leaf.spare  # +1: a converter freed below cannot reuse it meanwhile
    cdef object params
    if ALTAPI_RECYCLE and spare is not None and Py_REFCNT(spare) == 2:
        params = <object>PyTuple_GET_ITEM(spare, 1)
        if Py_REFCNT(params) == 2 and PyDict_GET_SIZE(params) == leaf.count:
            if leaf.count == 0:
                return spare
            _fill(params, leaf, p)
            if PyDict_GET_SIZE(params) == leaf.count:  # the caller added no key
                return spare
    params = {}
    _fill(params, leaf, p)
    spare = (leaf.handler, params)
    leaf.spare = spare
    return spare


cdef int _fill(dict params, _Leaf leaf, _Path* p) except -1:
    """Set the matched route's parameters, converted, from the segments the walk took."""
    cdef PyObject* names = <PyObject*>leaf.names
    cdef Py_ssize_t k = 0, v = 0, i, j
    cdef _Edge* edge
    cdef PyObject* value
    for i in range(p.depth):
        edge = p.edges[i]
        if edge.kind == _STR or edge.kind == _GREEDY or edge.kind == _INT:
            if edge.kind == _INT:
                value = _int(p, p.starts[i], p.ends[i])
            else:
                value = _substring(p, p.starts[i], p.ends[i])
            if value == NULL:
                return -1
            j = _set(params, _item(names, k), value)
            _decref(value)
            if j < 0:
                return -1
        elif edge.kind == _CONVERTER:
            PyDict_SetItem(params, <object>_item(names, k), (<list>p.values)[v])
            v += 1
        else:
            for j in range(len((<object>edge.matcher).names) - 1):
                PyDict_SetItem(params, <object>_item(names, k), (<list>p.values)[v])
                k += 1
                v += 1
            PyDict_SetItem(params, <object>_item(names, k), (<list>p.values)[v])
            v += 1
        k += 1
    return 0


cdef class Tree:
    """The pure tree for building and the rare lookups; a frozen copy for `match`."""

    cdef object _source
    cdef _Frozen _frozen  # None until the first match after an add()
    cdef readonly dict _cache  # path -> (method, handler, params) of recent matches, or None
    cdef Py_ssize_t _cache_size

    def __init__(self, Py_ssize_t cache_size=0):
        self._source = _tree.Tree()
        self._frozen = None
        self._cache_size = cache_size
        self._cache = {} if cache_size > 0 else None

    def add(self, route, methods):
        self._source.add(route, methods)
        self._frozen = None  # frozen again on the next match
        if self._cache is not None:
            self._cache.clear()

    def allowed_methods(self, path):
        # PERF: the frozen walk with no method, gathering the methods of every leaf it
        # reaches, not the pure tree's walk (a 404 asks twice: the path, then with its
        # trailing slash toggled; ~1,000 -> ~100 ns each).
        cdef _Path p
        cdef list values
        cdef _Frozen frozen = self._frozen_now()
        if type(path) is not str or frozen.deepest > MAX_DEPTH or not _start(&p, frozen, path):
            return self._source.allowed_methods(path)
        p.method = NULL
        p.methods = NULL  # made by the first leaf reached: a 404 makes no set
        p.is_get = False
        if frozen.converts:
            values = []
            p.values = <PyObject*>values
        _walk(&p, 0, 1)
        if p.methods == NULL:
            if p.error:
                _raise_pending()
            return NO_METHODS
        methods = <object>p.methods
        _decref(p.methods)  # the walk's reference, now held by `methods`
        if p.error:
            _raise_pending()
        return frozenset(methods)

    cdef _Frozen _frozen_now(self):
        if self._frozen is None:
            self._frozen = _freeze(self._source._root)
        return self._frozen  # held by the caller: a converter that adds a route cannot free it

    def match_segments(self, str method, list segs):
        return self._source.match_segments(method, segs)

    def matchers(self):
        return self.match, self.match_segments

    def match(self, str method, str path):
        cdef _Path p
        cdef list values  # only when some edge converts
        cdef _Frozen frozen
        cdef PyObject* found
        cdef tuple result
        cdef char* m
        if self._cache is not None:
            entry = self._cache.get(path)
            if entry is not None and (<tuple>entry)[0] == method:
                return (<tuple>entry)[1], (<dict>(<tuple>entry)[2]).copy()
        frozen = self._frozen_now()
        if frozen.deepest > MAX_DEPTH:
            return self._source.match(method, path)
        if not _start(&p, frozen, path):  # not "/..."
            return None
        p.method = <PyObject*>method
        m = <char*>PyUnicode_DATA(method)
        p.is_get = (
            PyUnicode_GET_LENGTH(method) == 3
            and PyUnicode_KIND(method) == 1
            and m[0] == b"G" and m[1] == b"E" and m[2] == b"T"
        )
        if frozen.converts:
            values = []
            p.values = <PyObject*>values
        found = _walk(&p, 0, 1)
        if found == NULL:
            if p.error:
                _raise_pending()
            return None
        result = _result(<_Leaf>found, &p)
        if self._cache is not None and p.length <= MAX_CACHED_PATH:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()  # bounded: start again rather than track recency
            self._cache[path] = (method, (<_Leaf>found).handler, (<dict>result[1]).copy())
        return result
