"""Code generation shared by the stages: the IR, statement helpers, optimization and emission.

``ir`` is the normal form every pass after ``normalize`` reads; ``templating`` instantiates a
rule's template at one call site; ``sweeps`` holds generated blocks of statements; ``optimize``
adds into owned buffers in place and frees dead values; ``emit`` prints the blocks as Python and
compiles them as a factory over the array module and the runtime.
"""

from s2s.codegen.emit import Compiled, Writer, compile_factory, signature_text
from s2s.codegen.optimize import free_dead, optimize
from s2s.codegen.sweeps import Block, Sweeps

__all__ = [
    "Block",
    "Compiled",
    "Sweeps",
    "Writer",
    "compile_factory",
    "free_dead",
    "optimize",
    "signature_text",
]
