"""Frontend: from a Python function to its A-normal form.

Takes the user's function object; gives a :class:`Primal` (the parsed, fenced and resolved
``gast`` tree with its file and lines) and, from :func:`normalize`, the
:class:`~s2s.codegen.ir.FunctionIR` that every later stage reads: one primitive per statement,
SSA names, branches and loops as structured statements.

Passes, in order: ``parse`` (source and tree), ``dictcomps`` (dict comprehensions written
out), ``records`` (a NamedTuple or dataclass made inside, one name per field), ``fence``
(refuse unsupported syntax), ``resolve`` (bind call targets to objects; it ends with
``operators`` and ``tolists``), ``normalize`` (with ``control``, ``assignments``, ``outputs``,
``structure``, ``lifting``, ``spellings``, ``contexts``, ``tries``, ``unpacking``, ``dicts`` and
``sideeffects``, which only it uses).
"""

from s2s.frontend.fence import fence
from s2s.frontend.normalize import normalize
from s2s.frontend.parse import (
    Primal,
    free_added_names,
    parse,
    rename_rebound_containers,
    strip_decorators,
)
from s2s.frontend.resolve import Target, resolve

__all__ = [
    "Primal", "Target", "fence", "free_added_names", "normalize", "parse",
    "rename_rebound_containers", "resolve", "strip_decorators",
]
