"""Facts: what the analyses may assume about a callable besides its derivative.

A rule's registration (``@adjoint``, ``@linear``, ``@elementwise``) takes ``facts=Facts(...)``;
``s2s.registry.declare`` records facts of a function with no rule. The constants name how an
output's shape and dtype follow from the inputs' (read by :mod:`s2s.analysis.static_shapes` and
:mod:`s2s.analysis.dtypes`); they are re-exported by :mod:`s2s.registry`, where templates
import them.

>>> Facts(shape=REDUCTION).shape
'reduction'
"""

from __future__ import annotations

from dataclasses import dataclass

# How a function's output shape follows from its inputs' (read by analysis.static_shapes)
BROADCAST = "broadcast"  # numpy broadcasting of the array arguments (elementwise functions)
MATMUL = "matmul"  # numpy.matmul's contraction, with 1-D promotion and batch broadcasting
DOT = "dot"  # numpy.dot's contraction: matmul's shape where both operands are 1-D or 2-D
REDUCTION = "reduction"  # ``axis`` removed (every axis by default), kept as 1 with ``keepdims``
ALLOCATION = "allocation"  # the shape argument (``np.zeros((n, m))``)
SQUARE = "square"  # a stack of square matrices, the result of its shape (``inv``, ``cholesky``)
BATCH = "batch"  # one number per square matrix of the stack (``det``)
SOLVE = "solve"  # ``numpy.linalg.solve``: ``b``'s shape after the broadcast batch axes
DIAG = "diag"  # ``numpy.diag``: a 1-D argument gives a square matrix, a 2-D one a diagonal
OUTER = "outer"  # ``numpy.outer``: (a.size, b.size)
PROBE = "probe"  # numpy's own call on a stand-in of the argument's shape (no data): reorderings
EYE = "eye"  # ``numpy.eye(N, M)``, ``numpy.identity(n)``: (N, M or N)
# How its output dtype follows from its inputs' (read by analysis.dtypes); the default is NEP 50
# promotion of the differentiable arguments
FLOAT = "float"  # promotion, but integers and booleans give float64 (``np.sqrt``, true division)
CAST = "cast"  # the ``dtype`` argument if given, else the first argument's dtype
LIKE = "like"  # a new array: the ``dtype`` argument if given, else the first argument's
NEW = "new"  # a new array: the ``dtype`` argument if given, else float64
FLOAT64 = "float64"  # float64 whatever the inputs' dtypes (scipy.stats computes in double)
ZEROS = "zeros"  # zeros of a float argument's shape in its accumulator dtype (float16: float32)


@dataclass(frozen=True)
class Facts:
    """What the analyses know of a callable beside its derivative, kept in one place per
    function (next to its rule in ``templates/``) so no pass keeps a table of its own.

    Attributes:
        shape: how the output shape follows from the inputs' (``BROADCAST``, ``MATMUL``,
            ``DOT``, ``REDUCTION``, ``ALLOCATION``, and the kinds of
            :mod:`s2s.analysis.shape_kinds`: ``SQUARE``, ``BATCH``, ``SOLVE``, ``DIAG``,
            ``OUTER``, ``EYE``, ``PROBE``), or ``None``: not proven statically.
        dtype: how the output dtype follows (``FLOAT``, ``CAST``, ``LIKE``, ``NEW``), or
            ``None`` for NEP 50 promotion of the differentiable arguments.
        view: the result may share memory with the first argument (``reshape``, ``x[key]``).
        writes: it writes into its first argument (``np.copyto``): refused on arguments.
        total: it cannot raise for float arrays of any shape, so a dead call may be dropped.
        raises_on_python_numbers: on Python numbers it can raise (``1.0 / 0.0``), not warn.
        parts: it returns a list of arrays (``np.array_split``'s, maybe of several shapes).
    """

    shape: str | None = None
    dtype: str | None = None
    view: bool = False
    writes: bool = False
    total: bool = False
    raises_on_python_numbers: bool = False
    parts: bool = False


NO_FACTS = Facts()
