"""Derivative rules of s2s, one module per numpy domain (installed as ``s2s.templates``).

The contract of a rule template
-------------------------------
A template is a short Python function registered by a decorator from :mod:`s2s.registry`,
keyed on the callable it differentiates (never on a name string). Its body is the derivative
code: the transformer substitutes the call site's names into it and splices it into the
generated function.

- Parameters: first the primal's output(s) (``result``, or one name per output), then the
  primal's parameters with numpy's names and defaults. A call-site keyword that is not a
  template parameter raises ``UnsupportedArgumentError`` at generation time, ``out=`` included.
- ``d[name]`` is the reserved notation for "the adjoint of name". ``d[x] = expr`` contributes
  ``expr`` to x's adjoint buffer (the transformer adds it into the buffer and drops the
  statement when x is inactive); ``d[x][key] = g`` scatter-adds ``g`` at ``key``.
- ``@elementwise`` templates instead *return the partial derivatives* (one per input); both the
  reverse rule (with unbroadcasting) and the forward rule are derived from them.
- ``@linear`` templates give the transpose of a linear map; structural parameters (axis, shape,
  keys, dtype) are declared and never differentiated.
- ``nondifferentiable(fn, reason=...)`` declares a piecewise-constant function (zero kind).
- Bodies reach only numpy (any alias, emitted as ``_np``) and :mod:`s2s.runtime` (emitted as
  ``_s2s``). Constants are Python scalars, never ``np.float64(...)``, so float32 stays float32.
- Every rule names its formula's source.

Importing this package registers nothing. :mod:`s2s.rulesets` imports a module when a function
it registers or declares facts for is first looked up (the families of ``templates/index.py``,
which ``python -m tools.rules_index`` writes), and every module of ``MODULES``, in that order,
when all the rules are asked for (``s2s.registry.all_rules``).
"""


# the modules of the built-in rules (the scipy ones aside: s2s.registry.OPTIONAL_RULES)
MODULES = (
    "arrangements",
    "contractions",
    "covariance",
    "decompositions",
    "elementary",
    "facts",
    "histograms",
    "interpolation",
    "joins",
    "layouts",
    "linalg",
    "linalg_adjoints",
    "linalg_api",
    "linalg_extra",
    "linalg_spectral",
    "masked_reductions",
    "multi",
    "nanstats",
    "nondiff",
    "polynomials",
    "products",
    "pymath",
    "quantiles",
    "reductions",
    "runtime",
    "runtime_adjoints",
    "runtime_bilinear",
    "runtime_structures",
    "selections",
    "sets",
    "shapes",
    "signals",
    "sorting",
    "spacings",
    "statistics",
    "tilings",
    "ufunc_at",
    "ufuncs",
    "ufuncs_extra",
    "writers",
)
