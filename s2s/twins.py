"""numpy's twin of a Dask or CuPy function: the numpy function of the same public name.

Dask (``dask.array``) and CuPy copy numpy's API at their top level: ``da.exp`` computes what
``np.exp`` does, in Dask arrays. So numpy's rule differentiates it, and the rule's template,
which calls the derivative's array namespace (DESIGN section 11), calls theirs. The registry
looks a twin up when a function has no rule of its own:

>>> import numpy as np
>>> numpy_twin(np.exp) is None  # numpy's own functions have no twin
True
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

TWIN_NAMESPACES = ("dask.array", "cupy")
_TABLES: dict[str, dict[int, tuple[Any, Any]]] = {}


def numpy_twin(fn: Any) -> Any:
    """numpy's function that ``fn`` mirrors: ``np.tanh`` for ``dask.array.tanh`` or
    ``cupy.tanh`` (by the public name under which the library's top level exports ``fn``),
    else ``None``. A library that is not imported has no twins (nothing is imported here).
    Submodules (``dask.array.linalg``) are not mirrored: their signatures and outputs differ
    from numpy's (``dask.array.linalg.svd`` takes no ``full_matrices``)."""
    module = getattr(fn, "__module__", None)
    if not isinstance(module, str):
        module = type(fn).__module__
    package = next((p for p in TWIN_NAMESPACES if module.startswith(p)), None)
    namespace = sys.modules.get(package) if package is not None else None
    if namespace is None:
        return None
    table = _TABLES.get(package)
    if table is None:
        table = {}
        for name, obj in list(vars(namespace).items()):
            twin = getattr(np, name, None)
            if name.startswith("_") or twin is None or not callable(obj):
                continue
            if not isinstance(obj, type):
                table[id(obj)] = (obj, twin)
        _TABLES[package] = table
    found = table.get(id(fn))
    return found[1] if found is not None and found[0] is fn else None
