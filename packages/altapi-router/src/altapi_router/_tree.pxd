# C types for _tree.py when Cython compiles it as altapi_router._ctree (see docs/router.md).
# The .py stays the single source; this file only adds static types.

cimport cython

cdef int _STR, _INT, _CONVERTER, _COMPOUND, _GREEDY

cdef class _Edge:
    cdef public str key
    cdef public int kind
    cdef public object matcher
    cdef public int rank
    cdef public _Node node

cdef class _Node:
    cdef public dict static
    cdef public list edges
    cdef public object routes

@cython.locals(child=_Node, edge=_Edge, depth=Py_ssize_t, kind=int, routes=dict, seg=str)
cdef object _walk(_Node node, list segs, Py_ssize_t i, Py_ssize_t n, list values, str method)
@cython.locals(child=_Node, edge=_Edge, seg=str)
cdef void _collect(_Node node, list segs, Py_ssize_t i, Py_ssize_t n, set out) except *

@cython.locals(params=dict, k=Py_ssize_t)
cdef dict _params(tuple names, list values)

cdef class Tree:
    cdef _Node _root
    cdef dict _static
    @cython.locals(routes=dict, segs=list, values=list)
    cpdef object match(self, str method, str path)
    @cython.locals(values=list)
    cpdef object match_segments(self, str method, list segs)
