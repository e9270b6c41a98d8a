"""Frontend: from a Python function to its A-normal form.

Takes the user's function object; gives a :class:`Primal` (the parsed, fenced and resolved
``gast`` tree with its file and lines) and, from :func:`normalize`, the
:class:`~s2s.codegen.ir.FunctionIR` that every later stage reads: one primitive per statement,
SSA names, branches and loops as structured statements.

Passes, in order: ``parse`` (source and tree), ``dictcomps`` (dict comprehensions written
out), ``records`` (a NamedTuple or dataclass made inside, one name per field), ``fence``
(refuse unsupported syntax), ``resolve`` (bind call targets to objects; it ends with
``operators`` and ``tolists``), ``normalize`` (with ``control``, ``assignments``, ``outputs``,
``structure``, ``lifting``, ``spellings``, ``contexts``, ``tries``, ``unpacking``, ``dicts`` and
``sideeffects``, which only it uses).

Nothing is re-exported here: importing the package costs nothing, and each caller imports
the module it uses (``import s2s`` loads no pass until a derivative is first generated).
"""
