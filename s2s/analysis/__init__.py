"""Analysis: facts about the normal form that the sweeps read.

Takes the :class:`~s2s.codegen.ir.FunctionIR` and the specialization's argument types; gives an
:class:`Activity` (which values are active, their static dtypes and proven shapes, what must be
saved, which writes keep Python's meaning) and, after a sweep, :func:`specialize_calls` rewrites
adjoint calls whose shapes are proven into plain numpy.

Modules: ``activity`` (dataflow and what the output depends on), ``aliasing`` (in-place writes),
``dtypes`` (static kinds and dtypes), ``static_shapes`` (proven shapes).
"""

from s2s.analysis.activity import Activity, analyze, describe_metadata_use
from s2s.analysis.dtypes import VType, vtype_of
from s2s.analysis.static_shapes import specialize_calls

__all__ = ["Activity", "VType", "analyze", "describe_metadata_use", "specialize_calls", "vtype_of"]
