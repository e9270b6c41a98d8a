"""Forward mode: tangent statements interleaved with the primal ones (not written yet).

Will take the normal form and its :class:`~s2s.analysis.Activity`, as reverse mode does, and give
the sweeps of ``jvp``; DESIGN section 10.
"""

__all__: list[str] = []
