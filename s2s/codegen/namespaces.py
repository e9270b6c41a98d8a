"""Namespaces: every call generated code makes through ``_np`` or ``_s2s`` exists for its arrays."""

from __future__ import annotations

import linecache
import re
from typing import Any

from s2s.errors import Location, NamespaceError
from s2s.runtime.namespace import NUMPY, Backend

_NP_CHAIN = re.compile(r"\b_np((?:\.[A-Za-z_]\w*)+)")
_S2S_CALL = re.compile(r"\b_s2s\.([A-Za-z_]\w*)\(")
_MISSING = object()


def _lacking(module: Any, chain: str) -> str | None:
    """The first attribute of ``chain`` (``linalg.det``) that ``module`` does not have."""
    obj = module
    for part in chain.split("."):
        obj = getattr(obj, part, _MISSING)
        if obj is _MISSING:
            return part
    return None


def check_namespace(writer: Any, backend: Backend, filename: str) -> None:
    """Raise :class:`NamespaceError` at the primal line of the first generated statement that
    calls ``_np.<name>`` missing from ``backend``'s module (Dask has no ``sort``) or a runtime
    helper listed in ``backend.lacks``. numpy is not checked: every name is numpy's.

    ``writer`` is the :class:`s2s.codegen.emit.Writer` holding the generated lines and, for
    each, the primal line it comes from.
    """
    if backend is NUMPY:
        return
    for text, line in zip(writer.lines, writer.primal_lines, strict=True):
        code = text.strip()
        if code.startswith("#") or code.startswith('"""'):
            continue
        for match in _NP_CHAIN.finditer(code):
            chain = match.group(1)[1:]
            missing = _lacking(backend.module, chain)
            if missing is not None:
                _raise(
                    f"`np.{chain}` cannot run on {backend.name} arrays: "
                    f"{backend.module.__name__} has no `{missing}`",
                    backend,
                    filename,
                    line,
                )
        for match in _S2S_CALL.finditer(code):
            reason = backend.lacks.get(match.group(1))
            if reason is not None:
                _raise(
                    f"the derivative of this line needs `{match.group(1)}`, which cannot run on "
                    f"{backend.name} arrays: {reason}",
                    backend,
                    filename,
                    line,
                )


def _raise(message: str, backend: Backend, filename: str, line: int | None) -> None:
    where = None
    if line is not None:
        where = Location(filename, line, 0, linecache.getline(filename, line).rstrip("\n"))
    raise NamespaceError(
        message,
        where,
        f"convert the arrays this line reads to numpy first (for {backend.name}: "
        + (
            "`.compute()`"
            if backend.name == "dask"
            else "`.get()`"
            if backend.name == "cupy"
            else "the library's conversion"
        )
        + "), or write the step with operations the library provides",
    )
