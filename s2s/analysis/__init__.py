"""Analysis: facts about the normal form that the sweeps read.

Takes the :class:`~s2s.codegen.ir.FunctionIR` and the specialization's argument types; gives an
:class:`Activity` (which values are active, their static dtypes and proven shapes, what must be
saved, which writes keep Python's meaning) and, after a sweep, :func:`specialize_calls` rewrites
adjoint calls whose shapes are proven into plain numpy.

Modules: ``activity`` (dataflow and what the output depends on), ``aliasing`` (in-place writes),
``dtypes`` (static kinds and dtypes), ``static_shapes`` (proven shapes).

Nothing is re-exported here: importing the package costs nothing, and each caller imports
the module it uses (``import s2s`` loads no pass until a derivative is first generated).
"""
