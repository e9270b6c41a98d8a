"""Rule-test rows, one module per rule module of ``templates/`` (re-exported here)."""

from rows import (
    arrangements,
    contractions,
    covariance,
    decompositions,
    elementary,
    histograms,
    interpolation,
    joins,
    keywords,
    layouts,
    linalg,
    linalg_adjoints,
    linalg_api,
    linalg_extra,
    linalg_spectral,
    masked_reductions,
    multi,
    nanstats,
    nondiff,
    polynomials,
    products,
    pymath,
    quantiles,
    reductions,
    runtime,
    runtime_adjoints,
    runtime_bilinear,
    runtime_structures,
    scipy_discrete,
    scipy_linalg,
    scipy_multivariate,
    scipy_quantiles,
    scipy_special,
    scipy_stats,
    scipy_tails,
    selections,
    sets,
    shapes,
    signals,
    sorting,
    spacings,
    statistics,
    tilings,
    ufunc_at,
    ufuncs,
    ufuncs_extra,
    writers,
)
from rows.spec import Row

DIFFERENTIABLE: list[Row] = [
    *ufuncs.ROWS,
    *ufuncs_extra.ROWS,
    *ufunc_at.ROWS,
    *writers.ROWS,
    *writers.RUNTIME,
    *arrangements.ROWS,
    *contractions.ROWS,
    *covariance.ROWS,
    *elementary.ROWS,
    *histograms.ROWS,
    *interpolation.ROWS,
    *statistics.ROWS,
    *tilings.ROWS,
    *joins.ROWS,
    *layouts.ROWS,
    *selections.ROWS,
    *sets.ROWS,
    *sets.RUNTIME,
    *nanstats.ROWS,
    *signals.ROWS,
    *spacings.ROWS,
    *polynomials.ROWS,
    *spacings.RUNTIME,
    *products.ROWS,
    *reductions.ROWS,
    *shapes.ROWS,
    *sorting.ROWS,
    *quantiles.ROWS,
    *multi.ROWS,
    *linalg.ROWS,
    *linalg_api.ROWS,
    *linalg_extra.ROWS,
    *linalg_spectral.ROWS,
    *masked_reductions.ROWS,
    *decompositions.ROWS,
    *keywords.ROWS,
    *runtime.ROWS,
    *runtime_adjoints.ROWS,
    *runtime_bilinear.ROWS,
    *runtime_structures.ROWS,
    *linalg_adjoints.ROWS,
    *scipy_special.ROWS,
    *scipy_stats.ROWS,
    *scipy_discrete.ROWS,
    *scipy_linalg.ROWS,
    *scipy_tails.ROWS,
    *scipy_quantiles.ROWS,
    *scipy_multivariate.ROWS,
    *pymath.ROWS,
]
PIECEWISE_CONSTANT: list[Row] = (
    nondiff.ROWS
    + runtime.NONDIFF
    + layouts.NONDIFF
    + linalg_spectral.NONDIFF
    + polynomials.NONDIFF
    + sets.NONDIFF
    + writers.NONDIFF
)

# The rules of the numpy functions a user's code calls; the runtime helpers' own rules serve
# derivatives of derivatives only, which run on numpy arrays (other namespaces are refused).
# scipy's rules are checked on numpy arrays only (Dask and CuPy run scipy through numpy's
# protocols, not checked here); Python's math functions take one number, never an array.
USER_FACING: list[Row] = [
    r
    for r in DIFFERENTIABLE + PIECEWISE_CONSTANT
    if r
    not in runtime.ROWS
    + runtime_adjoints.ROWS
    + runtime_bilinear.ROWS
    + runtime_structures.ROWS
    + linalg_adjoints.ROWS
    + runtime.NONDIFF
    + layouts.NONDIFF
    + polynomials.NONDIFF
    + sets.NONDIFF
    + sets.RUNTIME
    + writers.RUNTIME
    + writers.NONDIFF
    + spacings.RUNTIME
    + scipy_special.ROWS
    + scipy_stats.ROWS
    + scipy_discrete.ROWS
    + scipy_linalg.ROWS
    + scipy_tails.ROWS
    + scipy_quantiles.ROWS
    + scipy_multivariate.ROWS
    + pymath.ROWS
]
