"""Narrowing: which cotangents a float32 adjoint sweep keeps narrower than their primal values."""

from __future__ import annotations

import numpy as np

from s2s.analysis.activity import Activity
from s2s.codegen.ir import FunctionIR


def narrowed_adjoints(ir: FunctionIR, activity: Activity) -> dict[str, str]:
    """Active values whose cotangent is kept in the sweep's dtype, narrower than their own.

    The sweep's dtype is that of the float arguments (float16 counting as float32, Python
    floats as weak): float32 when every float argument is float32 or float16. A float64 value
    inside such a function comes from a float64 constant or global (NEP 50:
    ``x * np.float64(2.0)`` is float64) or an explicit cast; its cotangent is narrowed at every
    contribution. Float values whose dtype generation does not know are narrowed too (a no-op
    cast when they are float32). With any float64 argument, or an argument of another kind
    than float, int or bool (a tuple), nothing is narrowed.
    """
    dtypes = []
    for param in ir.params:
        vtype = activity.arguments.get(param.name)  # a branch may rebind it: its argument's
        if vtype is None or vtype.kind not in ("float", "int", "bool") or vtype.dtype is None:
            return {}
        if vtype.kind == "float" and not vtype.weak:
            dtypes.append(np.float32 if vtype.dtype == np.float16 else vtype.dtype)
    sweep = np.result_type(*dtypes) if dtypes else None
    if sweep is None or sweep.itemsize >= 8:
        return {}
    out = {}
    for var in activity.active:
        vtype = activity.types.get(var)
        if vtype is None or vtype.kind != "float":
            continue
        if vtype.dtype is None or vtype.dtype.itemsize > sweep.itemsize:
            out[var] = sweep.name  # unknown: float64 only by a constant, else a no-op cast
    return out
