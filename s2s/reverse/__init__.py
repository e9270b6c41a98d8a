"""Reverse mode: the primal sweep, then the adjoint sweep in reverse order.

Takes the normal form and its :class:`~s2s.analysis.Activity`; gives
:class:`~s2s.codegen.sweeps.Sweeps` (blocks of ``gast`` statements, one per primal line) and,
from :mod:`s2s.reverse.entry`, the emitted function of each reverse mode (``grad``,
``value_and_grad``, ``vjp``).

Modules: ``sweep`` (the builder: the components, straight-line code), ``state`` (the
:class:`~s2s.reverse.state.SweepState` every component reads and updates), ``buffers``
(accumulation), ``selection`` (selection masks), ``markers`` (undefined-gradient guards),
``calls`` (the user's own functions), ``adjoints`` (one statement's adjoint), ``flow`` (the
buffers' kinds through branches and loops), ``taping`` (what the tape holds), ``tape`` (the
sweeps of a function with control flow), ``branches`` (``if``, ``break``, ``continue``),
``loops`` (``for``, ``while``), ``lists`` (a list's appends and pops), ``deadcode`` (primal
values nothing reads), ``simplify`` (constant cotangents folded), ``entry`` (seed,
gradients, the mode's wrapper).

Nothing is re-exported here: importing the package costs nothing, and each caller imports
the module it uses (``import s2s`` loads no pass until a derivative is first generated).
"""
