"""Parse: find the source of a function (or lambda) and return its gast ``FunctionDef``."""

from __future__ import annotations

import copy
import dis
import functools
import inspect
import linecache
import textwrap
import types
from dataclasses import dataclass, field
from typing import Any

import gast

from s2s.errors import Location, SourceUnavailableError, UnsupportedSyntaxError


@dataclass
class Primal:
    """A parsed primal function.

    Attributes:
        func: the Python function object.
        tree: its ``gast.FunctionDef`` (a lambda becomes ``def <lambda>(...): return body``);
            node line numbers are those of the file, columns those of the file.
        filename: the file the source came from.
        lines: every line of that file (for error messages and comments).
        notes: comment lines for the top of the generated code (parameter containers).
    """

    func: types.FunctionType
    tree: gast.FunctionDef
    filename: str
    lines: list[str] = field(repr=False)
    notes: list[str] = field(default_factory=list)  # comment lines atop the generated code
    # arguments known when specializing (not differentiated, never assigned), and the callables
    # read from them: frontend/callables.py fills both, analysis may read and add
    values: dict[str, Any] = field(default_factory=dict, repr=False)
    bound: list[Any] = field(default_factory=list, repr=False)

    def where(self, node: Any) -> Location:
        """The primal location of a node (falls back to the function's first line)."""
        lineno = getattr(node, "lineno", None) or self.tree.lineno
        col = getattr(node, "col_offset", 0) or 0
        text = self.lines[lineno - 1].rstrip("\n") if 0 < lineno <= len(self.lines) else ""
        return Location(self.filename, lineno, col, text)

    def line_text(self, lineno: int) -> str:
        return self.lines[lineno - 1].strip() if 0 < lineno <= len(self.lines) else ""


def _shift(tree: Any, line_offset: int, col_offset: int) -> None:
    for node in gast.walk(tree):
        if hasattr(node, "lineno") and node.lineno is not None:
            node.lineno += line_offset
            if getattr(node, "end_lineno", None) is not None:
                node.end_lineno += line_offset
            if getattr(node, "col_offset", None) is not None:
                node.col_offset += col_offset


def _location_of(func: types.FunctionType) -> Location:
    code = func.__code__
    text = linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n")
    return Location(code.co_filename, code.co_firstlineno, 0, text)


def parse(func: Any) -> Primal:
    """Parse ``func``'s source into a :class:`Primal`.

    Raises:
        SourceUnavailableError: ``func`` is a builtin, a C function, a callable object, or was
            defined where no source is kept (the REPL, ``exec``), or it is a lambda that cannot
            be told apart from another lambda on the same line.
        UnsupportedSyntaxError: a decorator other than an s2s one is applied to ``func``.
    """
    if not isinstance(func, types.FunctionType):
        raise SourceUnavailableError(
            f"cannot differentiate {func!r}: it is not a Python function with source code",
            None,
            "pass a function defined with `def` in a file; builtins and C functions need a rule "
            "registered with @s2s.adjoint",
        )
    code = func.__code__
    filename = code.co_filename
    linecache.checkcache(filename)  # a file edited since it was cached is read again
    lines = linecache.getlines(filename, func.__globals__)
    if not lines:
        raise SourceUnavailableError(
            f"no source code is available for {func.__qualname__} (defined in {filename})",
            _location_of(func),
            "define the function in a .py file (source typed at the interactive prompt or "
            "passed to exec() is not kept)",
        )
    if func.__name__ == "<lambda>":
        tree = _parse_lambda(func, lines)
    else:
        tree = _parse_def(func, lines)
    return Primal(func, tree, filename, lines)


def _parse_def(func: types.FunctionType, lines: list[str]) -> gast.FunctionDef:
    try:
        block, start = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        raise SourceUnavailableError(
            f"no source code is available for {func.__qualname__}: {exc}",
            _location_of(func),
            "define the function in a .py file",
        ) from exc
    text = "".join(block)
    dedented = textwrap.dedent(text)
    indent = len(block[0]) - len(block[0].lstrip())
    module = gast.parse(dedented)
    tree = module.body[0]
    if isinstance(tree, gast.AsyncFunctionDef):
        raise UnsupportedSyntaxError(
            f"{func.__qualname__} is an `async def` function, which cannot be differentiated",
            Location(func.__code__.co_filename, start, indent, block[0].rstrip("\n")),
            "differentiate a plain `def` function and await in the caller",
        )
    if not isinstance(tree, gast.FunctionDef) or tree.name != func.__name__:
        raise SourceUnavailableError(
            f"the source at {func.__code__.co_filename}:{start} is not the definition of "
            f"{func.__qualname__}: the file probably changed after the function was defined",
            _location_of(func),
            "reload the module (importlib.reload) or re-run the definition",
        )
    _shift(tree, start - 1, indent)
    _check_not_stale(func, dedented)
    return tree


def _ops(code: types.CodeType) -> tuple[str, ...]:
    """The operators a function applies, in order (``**``, ``<``, ``-x``): an edit that only
    swaps an operator changes neither the constants nor the names."""
    return tuple(
        f"{i.opname}:{i.argrepr}"
        for i in dis.get_instructions(code)
        if i.opname in ("BINARY_OP", "COMPARE_OP", "IS_OP", "CONTAINS_OP")
        or i.opname.startswith(("UNARY_", "BINARY_SUBSCR"))
    )


def _check_not_stale(func: types.FunctionType, source: str) -> None:
    """Refuse a source file edited since ``func`` was defined: its text would no longer be the
    code that runs. Compares the constants and names of the recompiled definition."""
    try:
        module = compile(source, func.__code__.co_filename, "exec", dont_inherit=True)
    except SyntaxError:
        return  # e.g. a method body using names only valid in its class: nothing to compare
    code = next(
        (
            c
            for c in module.co_consts
            if isinstance(c, types.CodeType) and c.co_name == func.__code__.co_name
        ),
        None,
    )
    if code is None:
        return

    def signature(c: types.CodeType) -> tuple:
        consts = tuple(k for k in c.co_consts if not isinstance(k, types.CodeType))
        names = set(c.co_names) - set(func.__code__.co_freevars)
        return consts, frozenset(names), c.co_argcount, c.co_varnames[: c.co_argcount], _ops(c)

    if signature(code) != signature(func.__code__):
        raise SourceUnavailableError(
            f"the source of {func.__qualname__} in {func.__code__.co_filename} changed after "
            "the function was defined, so it is not the code that runs",
            _location_of(func),
            "reload the module (importlib.reload) or re-run the definition",
        )


@functools.lru_cache(maxsize=16)
def _parse_file(text: str) -> gast.Module:
    """A whole file's tree, parsed once for all the lambdas in it (callers copy what they use)."""
    return gast.parse(text)


def _parse_lambda(func: types.FunctionType, lines: list[str]) -> gast.FunctionDef:
    code = func.__code__
    where = _location_of(func)
    try:
        module = _parse_file("".join(lines))
    except SyntaxError as exc:  # pragma: no cover - the file compiled once already
        raise SourceUnavailableError(f"cannot parse {code.co_filename}: {exc}", where) from exc
    params = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    candidates = [
        node
        for node in gast.walk(module)
        if isinstance(node, gast.Lambda)
        and node.lineno == code.co_firstlineno
        and [a.id for a in node.args.args + node.args.kwonlyargs] == params
    ]
    if len(candidates) > 1:
        positions = [  # instructions of the body (the first, RESUME, sits at column 0)
            (line, col)
            for line, _end, col, endcol in code.co_positions()
            if line is not None and col is not None and (col, endcol) != (0, 0)
        ]
        if positions:
            first = min(positions)

            def contains(lam: gast.Lambda) -> bool:
                body = lam.body
                start = (body.lineno, body.col_offset)
                end = (body.end_lineno, body.end_col_offset)
                return start <= first <= end

            candidates = [lam for lam in candidates if contains(lam)]
    if len(candidates) != 1:
        raise SourceUnavailableError(
            "cannot tell which lambda on this line to differentiate"
            if candidates
            else "cannot find the source of this lambda",
            where,
            "give the function a name with `def`, or put each lambda on its own line",
        )
    lam = copy.deepcopy(candidates[0])  # later passes annotate and rewrite the tree
    ret = gast.Return(value=lam.body)
    gast.copy_location(ret, lam.body)
    tree = gast.FunctionDef(
        name="<lambda>",
        args=lam.args,
        body=[ret],
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    gast.copy_location(tree, lam)
    tree.end_lineno = lam.end_lineno
    return tree


def strip_decorators(primal: Primal, is_s2s_decorator: Any) -> None:
    """Remove s2s decorators from the tree; refuse any other decorator with a located error.

    ``is_s2s_decorator(expr_node)`` resolves a decorator expression and says whether it is one
    of s2s's own (``grad``, ``value_and_grad``, ``vjp``, under any alias).
    """
    for dec in primal.tree.decorator_list:
        if not is_s2s_decorator(dec):
            raise UnsupportedSyntaxError(
                f"{primal.func.__qualname__} has a decorator that s2s does not differentiate",
                primal.where(dec),
                "apply other decorators to the derivative instead, or differentiate the "
                "undecorated function",
            )
    primal.tree.decorator_list = []
