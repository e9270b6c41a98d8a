"""numpy's modified Bessel function ``i0`` and phase unwrapping ``unwrap`` (real inputs).

``d i0(x) / dx = I1(x)``, which numpy lacks: s2s/runtime/bessel.py computes it. ``unwrap``
adds to each entry a multiple of the period fixed by the jumps between neighbours: piecewise
the identity, so its derivative is the identity away from the jumps (where the multiples
change, the result jumps: no derivative there).
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, elementwise, tangent


@elementwise(np.i0, source="DLMF 10.29.3: I0' = I1 (I1 by its integral, DLMF 10.32.2)")
def i0(result, x):
    return rt.i1(x)


@elementwise(rt.i1, source="DLMF 10.29.2: I1' = I0 - I1 / x, 1/2 at 0")
def i1(result, x):
    return rt.i1_prime(x)


UNWRAP = "numpy.unwrap: p plus piecewise-constant multiples of the period; identity derivative"


@adjoint(np.unwrap, structural=("discont", "axis", "period"), source=UNWRAP)
def unwrap(result, p, discont=None, axis=-1, *, period=6.283185307179586):
    d[p] = rt.unbroadcast(d[result], p)


@tangent(np.unwrap, source=UNWRAP)
def unwrap_tangent(result, p, discont=None, axis=-1, *, period=6.283185307179586):
    d[result] += d[p]
