# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled matcher (`altapi_router._ctree`): a frozen copy of the pure tree.

`Tree` keeps a pure-Python `_tree.Tree` for everything but `match`: adding routes
(conflicts, precedence order), `allowed_methods`, `match_segments`. On the first
`match` after an `add` it freezes that tree into `_CNode`s and walks them at C
level: segments are found in the path string itself and compared with memcmp,
so no list and no string is made per segment; a parameter's value is cut out
only once the whole route has matched. Same precedence and backtracking as
`_tree._walk`, which the parity tests check. See docs/router.md.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.string cimport memchr, memcmp

from . import _tree

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_GET_LENGTH(object)
    int PyUnicode_KIND(object)
    void* PyUnicode_DATA(object)
    unsigned int PyUnicode_READ(int kind, void* data, Py_ssize_t index)  # a code point
    Py_ssize_t PyUnicode_FindChar(object, unsigned int, Py_ssize_t, Py_ssize_t, int) except -2
    object PyUnicode_Substring(object, Py_ssize_t, Py_ssize_t)
    object PyLong_FromLongLong(long long)

cdef int _STR = _tree._STR
cdef int _INT = _tree._INT
cdef int _CONVERTER = _tree._CONVERTER
cdef int _COMPOUND = _tree._COMPOUND
cdef int _GREEDY = _tree._GREEDY

cdef enum:
    MAX_DEPTH = 48  # a tree deeper than this many segments is matched by the pure tree
    MAX_CACHED_PATH = 256  # longer paths are not kept in the result cache (as in _tree)


cdef class _Leaf:
    cdef object handler
    cdef tuple names

    def __cinit__(self, object route):
        self.handler = route.handler
        self.names = route.param_names


cdef class _CEdge:
    cdef int kind
    cdef object matcher
    cdef _CNode node


cdef class _CNode:
    cdef tuple keys  # static children's segments, and the children in the same order
    cdef tuple children
    cdef unsigned long long* sigs  # each key's _sig: most keys are ruled out by it alone
    cdef tuple edges  # _CEdge, in precedence order
    cdef dict routes  # method -> _Leaf, or None
    cdef object get  # routes["GET"], the commonest lookup, or None

    def __dealloc__(self):
        PyMem_Free(self.sigs)


cdef inline unsigned long long _sig(Py_ssize_t size, unsigned int first):
    # A segment's length and first code point in one word.
    return (<unsigned long long>size << 32) | first


cdef struct _Path:
    # The path being matched, and the parameter segments taken so far.
    void* data
    int kind
    Py_ssize_t length
    Py_ssize_t depth
    void* edges[MAX_DEPTH]  # borrowed _CEdge references: the frozen tree owns them
    Py_ssize_t starts[MAX_DEPTH]
    Py_ssize_t ends[MAX_DEPTH]


cdef _CNode _freeze(object node, int depth, list deepest):
    cdef _CNode frozen = _CNode.__new__(_CNode)
    cdef _CEdge edge
    if depth > deepest[0]:
        deepest[0] = depth
    frozen.keys = tuple(node.static)
    frozen.sigs = <unsigned long long*>PyMem_Malloc(len(frozen.keys) * sizeof(unsigned long long) + 1)
    if frozen.sigs == NULL:
        raise MemoryError
    for j, key in enumerate(frozen.keys):
        frozen.sigs[j] = _sig(len(key), ord(key[0]) if key else 0)
    frozen.children = tuple([_freeze(child, depth + 1, deepest) for child in node.static.values()])
    edges = []
    for source in node.edges:
        edge = _CEdge.__new__(_CEdge)
        edge.kind = source.kind
        edge.matcher = source.matcher
        edge.node = _freeze(source.node, depth + 1, deepest)
        edges.append(edge)
    frozen.edges = tuple(edges)
    if node.routes is None:
        frozen.routes = None
    else:
        frozen.routes = {method: _Leaf(route) for method, route in node.routes.items()}
        frozen.get = frozen.routes.get("GET")
    return frozen


cdef inline bint _equals(_Path* p, Py_ssize_t start, Py_ssize_t size, object key):
    cdef int kind = PyUnicode_KIND(key)
    cdef void* data = PyUnicode_DATA(key)
    cdef Py_ssize_t i
    if kind == p.kind:
        return memcmp(<char*>p.data + start * kind, data, size * kind) == 0
    for i in range(size):  # a segment of a wide path can still equal a narrow key
        if PyUnicode_READ(p.kind, p.data, start + i) != PyUnicode_READ(kind, data, i):
            return False
    return True


cdef inline object _leaf(_CNode node, str method):
    """node.routes.get(method); PERF: "GET" by memcmp, not a dict lookup (~150 instructions)."""
    if node.routes is None:
        return None
    if (
        node.get is not None
        and PyUnicode_GET_LENGTH(method) == 3
        and PyUnicode_KIND(method) == 1
        and memcmp(PyUnicode_DATA(method), b"GET", 3) == 0
    ):
        return node.get
    return node.routes.get(method)


cdef inline bint _is_int(_Path* p, Py_ssize_t start, Py_ssize_t end):
    cdef unsigned int c
    cdef Py_ssize_t i
    if start == end:
        return False
    for i in range(start, end):
        c = PyUnicode_READ(p.kind, p.data, i)
        if c < 48 or c > 57:  # ASCII digits only, as str.isascii() and str.isdigit()
            return False
    return True


cdef object _walk(_CNode node, _Path* p, object path, Py_ssize_t start, str method, list values):
    """The first _Leaf matching path[start:] with `method`, or None; as _tree._walk."""
    cdef Py_ssize_t end, size, j, depth, taken
    cdef int kind
    cdef tuple keys
    cdef unsigned long long sig
    cdef char* slash
    cdef _CEdge edge
    cdef object found
    if start > p.length:  # no segment left
        return _leaf(node, method)
    if p.kind == 1:
        slash = <char*>memchr(<char*>p.data + start, 47, p.length - start)  # '/'
        end = p.length if slash == NULL else slash - <char*>p.data
    else:
        end = PyUnicode_FindChar(path, 47, start, p.length, 1)
        if end == -1:
            end = p.length
    size = end - start
    sig = _sig(size, PyUnicode_READ(p.kind, p.data, start) if size else 0)
    keys = node.keys
    for j in range(len(keys)):
        if node.sigs[j] == sig and _equals(p, start, size, keys[j]):
            found = _walk(<_CNode>node.children[j], p, path, end + 1, method, values)
            if found is not None:
                return found
            break
    depth = p.depth
    taken = len(values) if values is not None else 0
    for edge in node.edges:
        kind = edge.kind
        if kind == _STR:
            if size == 0:
                continue
        elif kind == _INT:
            if not _is_int(p, start, end):
                continue
        elif kind == _GREEDY:
            found = _leaf(edge.node, method)
            if found is None:
                continue
            p.edges[depth] = <void*>edge
            p.starts[depth] = start
            p.ends[depth] = p.length
            p.depth = depth + 1
            return found
        elif kind == _CONVERTER:
            try:
                values.append(edge.matcher.convert(PyUnicode_Substring(path, start, end)))
            except ValueError:
                continue
        else:
            try:
                values.extend(edge.matcher.convert(PyUnicode_Substring(path, start, end)))
            except ValueError:
                continue
        p.edges[depth] = <void*>edge
        p.starts[depth] = start
        p.ends[depth] = end
        p.depth = depth + 1
        found = _walk(edge.node, p, path, end + 1, method, values)
        if found is not None:
            return found
        p.depth = depth
        if values is not None and taken < len(values):
            del values[taken:]
    return None


cdef object _int(object path, _Path* p, Py_ssize_t start, Py_ssize_t end):
    cdef long long value = 0
    cdef Py_ssize_t i
    if end - start > 18:
        return int(PyUnicode_Substring(path, start, end))
    for i in range(start, end):
        value = value * 10 + (PyUnicode_READ(p.kind, p.data, i) - 48)
    return PyLong_FromLongLong(value)


cdef dict _params(_Leaf leaf, _Path* p, object path, list values):
    """The matched route's parameters, converted, from the segments the walk took."""
    cdef dict params = {}
    cdef tuple names = leaf.names
    cdef Py_ssize_t k = 0, v = 0, i
    cdef int kind
    cdef _CEdge edge
    for i in range(p.depth):
        edge = <_CEdge>p.edges[i]
        kind = edge.kind
        if kind == _STR or kind == _GREEDY:
            params[names[k]] = PyUnicode_Substring(path, p.starts[i], p.ends[i])
        elif kind == _INT:
            params[names[k]] = _int(path, p, p.starts[i], p.ends[i])
        elif kind == _CONVERTER:
            params[names[k]] = values[v]
            v += 1
        else:
            for _ in range(len(edge.matcher.names) - 1):
                params[names[k]] = values[v]
                k += 1
                v += 1
            params[names[k]] = values[v]
            v += 1
        k += 1
    return params


cdef class Tree:
    """The pure tree for building and the rare lookups; a frozen copy for `match`."""

    cdef object _source
    cdef _CNode _root
    cdef bint _converters  # some edge converts in Python: the walk needs a values list
    cdef bint _too_deep  # a route deeper than MAX_DEPTH: match with the pure tree
    cdef readonly dict _cache  # path -> (method, handler, params) of recent matches, or None
    cdef Py_ssize_t _cache_size

    def __init__(self, Py_ssize_t cache_size=0):
        self._source = _tree.Tree()
        self._root = None
        self._cache_size = cache_size
        self._cache = {} if cache_size > 0 else None

    def add(self, route, methods):
        self._source.add(route, methods)
        self._root = None  # frozen again on the next match
        if self._cache is not None:
            self._cache.clear()

    def allowed_methods(self, path):
        return self._source.allowed_methods(path)

    def match_segments(self, str method, list segs):
        return self._source.match_segments(method, segs)

    def matchers(self):
        return self.match, self.match_segments

    cdef void _build(self):
        deepest = [0]
        root = _freeze(self._source._root, 0, deepest)
        self._too_deep = deepest[0] > MAX_DEPTH
        self._converters = _converts(root)
        self._root = root  # last: a lookup that sees it also sees the flags above

    def match(self, str method, str path):
        cdef _Path p
        cdef list values = None
        cdef dict params
        if self._cache is not None:
            entry = self._cache.get(path)
            if entry is not None and (<tuple>entry)[0] == method:
                return (<tuple>entry)[1], (<dict>(<tuple>entry)[2]).copy()
        if self._root is None:
            self._build()
        if self._too_deep:
            return self._source.match(method, path)
        p.kind = PyUnicode_KIND(path)
        p.data = PyUnicode_DATA(path)
        p.length = PyUnicode_GET_LENGTH(path)
        if p.length == 0 or PyUnicode_READ(p.kind, p.data, 0) != 47:  # not "/..."
            return None
        p.depth = 0
        if self._converters:
            values = []
        found = _walk(self._root, &p, path, 1, method, values)
        if found is None:
            return None
        params = _params(<_Leaf>found, &p, path, values)
        if self._cache is not None and p.length <= MAX_CACHED_PATH:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()  # bounded: start again rather than track recency
            self._cache[path] = (method, (<_Leaf>found).handler, params.copy())
        return (<_Leaf>found).handler, params


cdef bint _converts(_CNode node):
    """Whether some edge under `node` converts in Python (its values go in a list)."""
    cdef _CEdge edge
    for edge in node.edges:
        if edge.kind == _CONVERTER or edge.kind == _COMPOUND or _converts(edge.node):
            return True
    return any(_converts(child) for child in node.children)
