"""Code generation shared by the stages: the IR, statement helpers, optimization and emission.

``ir`` is the normal form every pass after ``normalize`` reads; ``templating`` instantiates a
rule's template at one call site; ``sweeps`` holds generated blocks of statements; ``optimize``
adds into owned buffers in place and frees dead values; ``emit`` prints the blocks as Python and
compiles them as a factory over the array module and the runtime.

Nothing is re-exported here: importing the package costs nothing, and each caller imports
the module it uses (``import s2s`` loads no pass until a derivative is first generated).
"""
