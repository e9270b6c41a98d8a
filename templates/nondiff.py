"""Functions with no gradient anywhere: rounding, comparisons, predicates, indices, shapes."""

import builtins

import numpy as np

from s2s.registry import LIKE, Facts, nondifferentiable

STEP = "piecewise constant: the derivative is 0 wherever it exists"
PREDICATE = "returns booleans, which have no tangent space"
INDEX = "returns integer indices, which have no tangent space"
BITS = "operates on integer or boolean bits, which have no tangent space"
METADATA = "returns shape metadata (integers), which does not depend on the values"
LIKE_VALUES = "the result depends only on the argument's shape and dtype, not on its values"

for _fn in (np.sign, np.floor, np.ceil, np.rint, np.round, np.around, np.trunc, np.fix):
    nondifferentiable(_fn, reason=STEP)
nondifferentiable(
    np.floor_divide,
    reason=STEP + " (floor of a quotient)",
    facts=Facts(raises_on_python_numbers=True),
)
nondifferentiable(builtins.round, reason=STEP)

for _fn in (
    np.less,
    np.less_equal,
    np.greater,
    np.greater_equal,
    np.equal,
    np.not_equal,
    np.logical_and,
    np.logical_or,
    np.logical_not,
    np.logical_xor,
    np.isnan,
    np.isinf,
    np.isfinite,
    np.signbit,
    np.isclose,
    np.allclose,
    np.array_equal,
    builtins.bool,
):
    nondifferentiable(_fn, reason=PREDICATE)

for _fn in (np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert):
    nondifferentiable(_fn, reason=BITS)
for _fn in (np.left_shift, np.right_shift):
    nondifferentiable(_fn, reason=BITS)

for _fn in (
    np.argmax,
    np.argmin,
    np.argsort,
    np.nonzero,
    np.flatnonzero,
    np.argwhere,
    np.searchsorted,
    np.count_nonzero,
):
    nondifferentiable(_fn, reason=INDEX)

for _fn in (np.shape, np.ndim, np.size, builtins.len):
    nondifferentiable(_fn, reason=METADATA, metadata=True)

for _fn in (np.zeros_like, np.ones_like, np.empty_like):
    nondifferentiable(_fn, reason=LIKE_VALUES, metadata=True, facts=Facts(dtype=LIKE))

nondifferentiable(builtins.int, reason=STEP + " (truncation to an integer)")
