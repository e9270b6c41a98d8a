"""Emit: readable Python source from the sweeps, compiled as a factory and kept in linecache."""

from __future__ import annotations

import ast
import linecache
import re
import types
import warnings
import weakref
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from s2s import runtime
from s2s.codegen.printer import Unsupported, astor_text
from s2s.codegen.sweeps import Block

try:  # astor is the preferred printer; ast.unparse is the tested fallback
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import astor
except ImportError:  # pragma: no cover - astor is a dependency
    astor = None

INDENT = "    "
_COMMENT = re.compile(r"^(\s*)__s2s_comment__\((.*)\)$")


def _one_line(pieces: list[str]) -> str:
    """astor's printer without its line wrapping: one statement stays on one line."""
    return "".join(pieces)


def to_source(node: gast.AST, use_astor: bool = True) -> str:
    """Python source of one gast statement or expression (astor, else ``ast.unparse``)."""
    if use_astor and astor is not None:
        text = _printed([node])[0]
        try:
            ast.parse(text)  # astor 0.8 mis-prints some f-strings: then ast.unparse decides
            return text
        except SyntaxError:
            pass
    return _unparse(node)


# gast node types that gast.gast_to_ast converts field by field (its generic_visit) on the
# Pythons s2s runs on (3.9 on): the statements and expressions of generated code
_GENERIC = frozenset({
    "Expr", "AugAssign", "Return", "For", "While", "If", "Pass", "Break", "Continue", "Delete",
    "BinOp", "UnaryOp", "BoolOp", "Compare", "Call", "keyword", "Attribute", "Subscript",
    "Slice", "Tuple", "List", "Dict", "Set", "Constant", "Starred", "IfExp",
    "Load", "Store", "Del", "Add", "Sub", "Mult", "MatMult", "Div", "Mod", "Pow", "LShift",
    "RShift", "BitOr", "BitXor", "BitAnd", "FloorDiv", "Invert", "Not", "UAdd", "USub", "And",
    "Or", "Eq", "NotEq", "Lt", "LtE", "Gt", "GtE", "Is", "IsNot", "In", "NotIn",
})  # fmt: skip
_POSITIONS = ("lineno", "col_offset", "end_lineno", "end_col_offset")
_TARGETS: dict[type, type | None] = {}  # gast type -> the ast type it becomes field by field


def to_ast(node: Any) -> Any:
    """What ``gast.gast_to_ast(node)`` gives, built directly for the nodes gast converts field
    by field, plus ``Name`` and ``Assign`` (gast's own rules for those, positions included);
    any other node goes to gast whole. Statements print several times faster this way."""
    kind = type(node)
    if kind is list:
        return [to_ast(item) for item in node]
    target = _TARGETS.get(kind, False)
    if target is False:
        target = _TARGETS[kind] = _target(kind)
    if target is None:
        return gast.gast_to_ast(node) if isinstance(node, gast.AST) else node
    if target is ast.Name:
        return _located(ast.Name(node.id, to_ast(node.ctx)), node)
    if target is ast.Assign:
        return _located(ast.Assign(to_ast(node.targets), to_ast(node.value)), node)
    state = node.__dict__
    new = target(**{f: to_ast(state[f]) for f in node._fields if f in state})
    for attr in node._attributes:
        if attr in state:
            setattr(new, attr, state[attr])
    return new


def _target(kind: type) -> type | None:
    if not (issubclass(kind, gast.AST) and kind.__module__.startswith("gast")):
        return None
    if kind.__name__ in ("Name", "Assign") or kind.__name__ in _GENERIC:
        return getattr(ast, kind.__name__, None)
    return None


def _located(new: ast.AST, old: gast.AST) -> ast.AST:
    """``ast.copy_location(new, old)``."""
    state = old.__dict__
    for attr in _POSITIONS:
        value = state.get(attr)
        if value is not None or (attr in state and attr.startswith("end_")):
            setattr(new, attr, value)
    return new


def _astor_text(tree: ast.AST) -> str:
    """astor's text of a converted statement or expression (``DeprecationWarning``s, which
    astor's own imports raise on newer Pythons, are the caller's to silence)."""
    return _astor_texts([tree])[0]


def _astor_texts(trees: list[ast.AST]) -> list[str]:
    """astor's text of each tree: what ``astor.to_source(tree, pretty_source=_one_line)``
    returns, made the same way (its defaults: four spaces, no line numbers, astor's
    ``pretty_string``), by one printer whose state is put back as new before each tree.

    The printer's attributes are dropped after: they are closures that hold the printer (a
    cycle left to Python's cyclic collector, which took about 1 ms of each build of a
    45-statement function when each statement had a printer of its own)."""
    printer = astor.code_gen.SourceGenerator(" " * 4, False, astor.string_repr.pretty_string)
    result = printer.result  # (the printer's closures append to this very list)
    texts = []
    try:
        for tree in trees:
            result.clear()
            printer.indentation, printer.new_lines, printer.colinfo = 0, 0, (0, 0)
            printer.visit(tree)
            result.append("\n")
            if set(result[0]) == set("\n"):
                result[0] = ""
            texts.append(_one_line(result).strip("\n"))
    finally:
        printer.__dict__.clear()
    return texts


def _printed(nodes: list[gast.AST]) -> list[str]:
    """astor's text of each node: written by :func:`s2s.codegen.printer.astor_text` (the same
    text at a fraction of the cost), by astor itself where a node holds what that does not
    write."""
    texts: list[str | None] = []
    left: list[int] = []
    for i, node in enumerate(nodes):
        try:
            texts.append(astor_text(node))
        except Unsupported:
            texts.append(None)
            left.append(i)
    if left:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            for i, text in zip(left, _astor_texts([to_ast(nodes[i]) for i in left])):
                texts[i] = text
    return texts  # type: ignore[return-value]


def _unparse(node: gast.AST) -> str:
    tree = to_ast(node)  # printed, never compiled: astor needs no positions
    if isinstance(tree, ast.expr):
        tree = ast.Expression(body=tree)
    ast.fix_missing_locations(tree)  # ast.unparse reads a statement's lineno
    if isinstance(tree, ast.Expression):
        return ast.unparse(tree.body)
    return ast.unparse(tree)


@dataclass(eq=False)
class Writer:
    """Accumulates indented lines and the primal line each generated line comes from."""

    use_astor: bool = True
    lines: list[str] = field(default_factory=list)
    primal_lines: list[int | None] = field(default_factory=list)
    # names the factory binds to a helper's sub-derivative: name -> (maker, function, wrt)
    helpers: dict[str, tuple] = field(default_factory=dict)
    # astor's texts of blocks are used unchecked until text() (checked) or a failed compile
    # asks for the check: then every call is made again, each block's texts parsed first
    checked: bool = False
    calls: list[tuple[str, tuple]] = field(default_factory=list, repr=False)
    unchecked: bool = False  # some block's astor texts were not parsed

    def line(self, text: str, depth: int, primal_line: int | None = None) -> None:
        self.calls.append(("line", (text, depth, primal_line)))
        self._line(text, depth, primal_line)

    def _line(self, text: str, depth: int, primal_line: int | None = None) -> None:
        for part in text.split("\n"):
            marker = _COMMENT.match(part)
            if marker:  # a comment inside a loop or branch, and the primal line it names
                comment = ast.literal_eval(marker.group(2))
                part = f"{marker.group(1)}# {comment}"
                number = re.match(r"line (\d+):", comment)
                primal_line = int(number.group(1)) if number else primal_line
            self.lines.append(INDENT * depth + part if part else "")
            self.primal_lines.append(primal_line)

    def blocks(self, blocks: list[Block], depth: int) -> None:
        self.calls.append(("blocks", (blocks, depth)))
        statements = [stmt for block in blocks for stmt in block.body]
        for stmt in statements:
            drop_empty_arms(stmt)
        texts = iter(self._texts(statements))
        for block in blocks:
            if not block.body:
                continue
            if block.comment and not block.trailing:
                self._line(f"# {block.comment}", depth, block.lineno)
            for i, text in enumerate([next(texts) for _ in block.body]):
                if block.comment and block.trailing and i == 0 and "\n" not in text:
                    text += f"  # {block.comment}"
                self._line(text, depth, block.lineno)

    def _texts(self, statements: list[gast.stmt]) -> list[str]:
        """:func:`to_source` of each statement, astor's texts checked by one parse of them
        all (each is whole: together they parse if each does); where that fails, one by one.
        Unchecked (``self.checked`` false), astor's texts as they are."""
        if not (self.use_astor and astor is not None):
            return [to_source(stmt, False) for stmt in statements]
        texts = _printed(statements)
        if not self.checked:
            self.unchecked = self.unchecked or bool(texts)
            return texts
        try:
            ast.parse("\n".join(texts))
            return texts
        except SyntaxError:
            return [to_source(stmt, True) for stmt in statements]

    def statement(self, node: gast.AST, depth: int, primal_line: int | None = None) -> None:
        self.calls.append(("statement", (node, depth, primal_line)))
        self._line(to_source(node, self.use_astor), depth, primal_line)

    def check(self) -> None:
        """Make every call again with each block's astor texts checked (where they do not
        parse, each statement is printed by :func:`to_source`): the text of checked calls."""
        calls, self.calls = self.calls, []
        self.lines, self.primal_lines = [], []
        self.checked, self.unchecked = True, False
        for method, args in calls:
            getattr(self, method)(*args)

    def text(self, checked: bool = True) -> str:
        """The generated text; ``checked=False``: astor's texts as they are (a compile that
        succeeds is their check; :func:`compile_factory` checks them where it fails)."""
        if checked and self.unchecked:
            self.check()
        return "\n".join(self.lines) + "\n"


def drop_empty_arms(stmt: gast.AST) -> None:
    """Leave out arms with nothing to do, in place: an ``else: pass`` of an ``if``, ``for`` or
    ``while``; an ``if`` whose body is only ``pass`` keeps its other arm under ``if not``. A
    body the passes left empty (a loop of the user's that does nothing) gets its ``pass``.

    Only statements hold statements (expressions never do), so this goes down the statement
    lists alone (``body``, ``orelse``, ``finalbody``, ``handlers``, ``cases``), each node
    before what it holds, as a walk of every node would, without visiting expressions."""
    if isinstance(stmt, (gast.If, gast.For, gast.While, gast.With)) and not stmt.body:
        stmt.body = [gast.Pass()]
    orelse = getattr(stmt, "orelse", None)
    if isinstance(stmt, (gast.If, gast.For, gast.While)) and orelse and all(
        isinstance(s, gast.Pass) for s in orelse
    ):
        stmt.orelse = []
    if (
        isinstance(stmt, gast.If)
        and stmt.orelse
        and all(isinstance(s, gast.Pass) for s in stmt.body)
    ):
        stmt.test = gast.UnaryOp(op=gast.Not(), operand=stmt.test)
        stmt.body, stmt.orelse = stmt.orelse, []
    for arm in _STATEMENT_LISTS:
        inner = getattr(stmt, arm, None)
        if type(inner) is list:
            for item in inner:
                if isinstance(item, gast.AST):
                    drop_empty_arms(item)


_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


@dataclass(eq=False)
class Compiled:
    """A compiled derivative: the function, its source, and generated line -> primal line."""

    function: types.FunctionType
    source: str
    filename: str
    line_map: list[int | None]
    source_file: str  # the primal's file
    sites: Any = None  # what the non-finite search reads (s2s.reverse.nonfinite.Sites)
    code: Any = None  # the primal's code object, and the helpers its sub-derivatives
    helpers: tuple = ()  # differentiate ((code, name) pairs: s2s.siblings shows them)
    subcalls: str = ""  # "jvp" where its helpers' derivatives are JVPs (a forward sweep)


# Every compiled derivative by its generated file name, while it lives: the non-finite search
# (s2s.reverse.nonfinite) maps a traced frame back to its derivative.
COMPILED: weakref.WeakValueDictionary[str, Compiled] = weakref.WeakValueDictionary()


_COUNTER = iter(range(1, 1 << 62))


def user_location(filename: str, lineno: int) -> tuple[str, int]:
    """The user's line that line ``lineno`` of ``filename`` comes from, where ``filename`` is
    a derivative s2s generated (differentiated again: a marker of its code names the line of
    the function it was made from, through every order); other places as they are."""
    while filename in COMPILED:
        compiled = COMPILED[filename]
        line_map = compiled.line_map
        primal_line = line_map[lineno - 1] if 0 < lineno <= len(line_map) else None
        if not primal_line:
            break
        filename, lineno = compiled.source_file, primal_line
    return filename, lineno


def compile_factory(
    writer: Writer,
    inner_name: str,
    primal: types.FunctionType,
    key_text: str,
    namespace: Any = np,
) -> Compiled:
    """Compile ``writer``'s text (a ``def _make(_np, _s2s, <free vars>)`` factory) and build
    the inner function with the primal's globals and live closure cells; ``_np`` is
    ``namespace`` (numpy, or the module of the arguments' Dask or CuPy arrays)."""
    source = writer.text(checked=False)  # compiled, checked: no parse of its blocks first
    filename = f"<s2s {inner_name} #{next(_COUNTER)}: {key_text}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    try:
        code = compile(source, filename, "exec")
    except SyntaxError:
        if not writer.unchecked:
            raise
        source = writer.text()  # astor misprints (some f-strings): those statements re-printed
        lines = source.splitlines(keepends=True)
        linecache.cache[filename] = (len(source), None, lines, filename)
        code = compile(source, filename, "exec")
    make_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    inner_code = next(
        c for c in make_code.co_consts if isinstance(c, types.CodeType) and c.co_name == inner_name
    )
    cells = []
    free = primal.__code__.co_freevars
    for var in inner_code.co_freevars:
        if var == "_np":
            cells.append(types.CellType(namespace))
        elif var == "_s2s":
            cells.append(types.CellType(runtime))
        elif var in writer.helpers:  # d_softplus = _s2s.subderivative(softplus, ('z',))
            maker, function, wrt, *more = writer.helpers[var]
            cells.append(types.CellType(getattr(runtime, maker)(function, wrt, *more)))
        else:
            cells.append(primal.__closure__[free.index(var)])
    function = types.FunctionType(
        inner_code, primal.__globals__, inner_name, None, tuple(cells) or None
    )
    compiled = Compiled(
        function, source, filename, writer.primal_lines, primal.__code__.co_filename
    )
    COMPILED[filename] = compiled
    return compiled


def origin_text(func: types.FunctionType, filename: str, lineno: int) -> str:
    """The end of a generated docstring: ``generated by s2s from <file>:<line>.`` (read back
    by :func:`s2s.frontend.parse.user_line`), naming first the user's own def where ``func``
    is a derivative's generated code (``filename`` then names that code, not the user's)."""
    user = getattr(func, "__s2s_user_def__", None)
    if user is None or not filename.startswith("<s2s"):
        return f"generated by s2s from {filename}:{lineno}."
    title = getattr(func, "__s2s_title__", "")  # "(the gradient of (the JVP of f with ...)"
    innermost = title.rpartition(" of ")[2].partition(" with ")[0] or "the function"
    return f"{innermost} is at {user[0]}:{user[1]}; generated by s2s from {filename}:{lineno}."


def signature_text(params: list[Any]) -> str:
    """A ``def`` parameter list mirroring the primal's kinds, without defaults."""
    parts: list[str] = []
    seen_kwonly = False
    posonly = [p for p in params if p.kind == "POSITIONAL_ONLY"]
    for p in params:
        if p.kind == "VAR_POSITIONAL":
            parts.append("*" + p.name)
            seen_kwonly = True
        elif p.kind == "VAR_KEYWORD":
            parts.append("**" + p.name)
        elif p.kind == "KEYWORD_ONLY":
            if not seen_kwonly:
                parts.append("*")
                seen_kwonly = True
            parts.append(p.name)
        else:
            parts.append(p.name)
            if posonly and p is posonly[-1]:
                parts.append("/")
    return ", ".join(parts)
