"""Forward mode: tangent statements interleaved with the primal ones (DESIGN section 10).

Takes the normal form and its :class:`~s2s.analysis.Activity`, as reverse mode does, and gives
the emitted function of ``jvp``: each primal statement followed by its tangent's, under the
same ``# line N`` comments. Tangents are named after their values (``h`` -> ``h_dot``).

Modules: ``state`` (what is known of each tangent: zero, maybe zero, an array, ours to
write), ``rules`` (the tangent of one call from its rule's template or partials), ``sweep``
(the statements, in order), ``calls`` (calls with a rule), ``subcalls`` (calls of the user's
functions and derivative objects), ``control`` (branches, loops, jumps), ``writes``
(``x[key] = v``, ``xs.append(v)``, a tape's ``xs.pop()``), ``entry`` (tangent checks and what
the emitted function returns).

Nothing is re-exported here: importing the package costs nothing, and each caller imports
the module it uses (``import s2s`` loads no pass until a derivative is first generated).
"""
