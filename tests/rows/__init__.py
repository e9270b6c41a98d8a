"""Rule-test rows, one module per rule module of ``templates/`` (re-exported here)."""

from rows import (
    decompositions,
    keywords,
    linalg,
    multi,
    nondiff,
    products,
    reductions,
    shapes,
    sorting,
    ufuncs,
)
from rows.spec import Row

DIFFERENTIABLE: list[Row] = [
    *ufuncs.ROWS,
    *products.ROWS,
    *reductions.ROWS,
    *shapes.ROWS,
    *sorting.ROWS,
    *multi.ROWS,
    *linalg.ROWS,
    *decompositions.ROWS,
    *keywords.ROWS,
]
PIECEWISE_CONSTANT: list[Row] = nondiff.ROWS
