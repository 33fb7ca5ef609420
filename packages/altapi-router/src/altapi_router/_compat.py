"""Choose the compiled tree or its pure-Python twin (the yarl/multidict way)."""

from __future__ import annotations

import os
import platform
from typing import TYPE_CHECKING

NO_EXTENSIONS = bool(os.environ.get("ALTAPI_NO_EXTENSIONS"))
USE_EXTENSIONS = not NO_EXTENSIONS and platform.python_implementation() == "CPython"

if TYPE_CHECKING or not USE_EXTENSIONS:
    from ._tree import Tree

    COMPILED = False
else:
    try:
        from ._ctree import Tree  # type: ignore[no-redef]

        COMPILED = True
    except ImportError:  # a source install without a compiler: the pure tree
        from ._tree import Tree

        COMPILED = False

__all__ = ["COMPILED", "Tree"]
