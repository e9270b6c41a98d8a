"""Proven-shape templates: a rule's plainer adjoint for operands whose shapes generation proves.

A rule's template must hold for every call (``np.dot`` of N-d arrays, of numbers, of a float32
and a float64 array), so it calls a general runtime helper (``rt.dot_grad_a``). Where the
analyses prove the operands' ranks and one float dtype, numpy's own expression is exact, and a
rule states it beside its template with :func:`proven`; the adjoint sweep then instantiates
that template instead (:func:`variant_for`), and the generated code reads ``g @ w.T``:

>>> import numpy as np, s2s
>>> def f(x, w):
...     return np.sum(np.tanh(np.dot(x, w)))
>>> g = s2s.grad(f, wrt=1); _ = g(np.ones((2, 3)), np.ones((3, 4)))
>>> [line.strip() for line in g.source.splitlines() if line.strip().startswith("d_w =")]
['d_w = x.T @ (1 - tanh_1 * tanh_1)']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from s2s import registry

# an operand's kind: a proven float32 or float64 array of this many axes
RANKS = {"vector": 1, "matrix": 2}
_VARIANTS: dict[str, list[tuple[tuple[str, ...], registry.Rule]]] = {}


def proven(primals: Any, *, kinds: tuple[str, ...], source: str = "") -> Callable:
    """Register ``template`` as the adjoint of each of ``primals`` (a function or a tuple of
    them) for calls whose array parameters, in order, are proven ``kinds`` ("vector",
    "matrix") of one float dtype. The template has the parameters of the rule's own template
    and follows the same contract; ``source`` names its formula's source."""
    if any(kind not in RANKS for kind in kinds):
        raise ValueError(f"kinds are {sorted(RANKS)}, not {kinds}")

    def decorate(template: Callable[..., Any]) -> Callable[..., Any]:
        for primal in primals if isinstance(primals, tuple) else (primals,):
            rule = registry.Rule(primal, registry.ADJOINT, template, frozenset(), 1, source)
            rule.origin = template.__module__
            _VARIANTS.setdefault(registry.qualified_name(primal), []).append((kinds, rule))
        return template

    return decorate


def variant_for(rule: registry.Rule, arguments: Mapping[str, Any], types: Mapping) -> registry.Rule:
    """The proven-shape template of ``rule`` whose kinds the call's array arguments (template
    parameter -> atom; ``types``: name -> the analyses' type) match, else ``rule`` itself."""
    variants = _VARIANTS.get(rule.name)
    if not variants:
        return rule
    atoms = [a for a in arguments.values() if not isinstance(a, tuple)]
    known = [types.get(getattr(a, "id", None)) for a in atoms]
    for kinds, variant in variants:
        if len(kinds) != len(known):
            continue
        dtypes = {getattr(t, "dtype", None) for t in known}
        if len(dtypes) != 1 or not dtypes <= {np.dtype(np.float32), np.dtype(np.float64)}:
            continue
        if all(
            t.array is not False and t.shape is not None and len(t.shape) == RANKS[kind]
            for t, kind in zip(known, kinds, strict=True)
        ):
            return variant
    return rule
