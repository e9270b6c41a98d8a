"""Simplify: fold constant cotangents into the adjoint expressions of straight-line code.

A full reduction seeds its operand's cotangent with an array filled with one number (ones for
``np.sum``, ``1/n`` for ``np.mean``), and constant factors (``100.0 * a``) scale it; multiplying
each partial derivative by such an array costs one pass over memory per use. Where the shapes
and dtypes are proven (:mod:`s2s.analysis.static_shapes`), this pass keeps the filled array
symbolic: a product with ones is the other factor, a product with ``c`` everywhere is
``c * factor``, and the filled arrays nobody reads any more are not built. The partial of
``x ** k`` for a literal integer ``k >= 2`` is ``k * x ** (k - 1)`` written out (``2 * x``),
with no helper call, whatever ``x`` is (the helper computes the same expression). Every
rewrite gives the same bits as the code it replaces (a product with 1.0 is exact, and
``c * e`` multiplies the same two numbers in the same dtype).

Only values of float32 or float64 arrays with proven shapes (``ndim >= 1``) are folded. In a
loop or a branch, what it assigns is known only from its assignment on (a trip's top sees the
trip before); what is assigned outside it (the seed of a loss after a loop) holds throughout.

Before: ``np.sum(100.0 * x ** 2)``'s adjoint filled an array with ones, multiplied it by 100.0
and by the helper's partial; after, one expression, ``100.0 * (2 * x)``, whose power of two
:mod:`s2s.reverse.peephole` then folds into the number:

>>> import numpy as np, s2s
>>> def f(x):
...     return np.sum(100.0 * x ** 2)
>>> g = s2s.grad(f); _ = g(np.ones(3))
>>> print(g.source[g.source.index("# adjoint"):].splitlines()[2].strip())
d_x = 200.0 * x
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s.analysis.dtypes import VType
from s2s.codegen.ir import FunctionIR
from s2s.codegen.sweeps import Sweeps, is_comment_marker, names_in
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree, inner_nodes, name_list, statements_in, walk
from s2s.reverse.arrfacts import Arr, Expanded, Fill, Num, Same, Zeros
from s2s.reverse.reduced import axes_of, expanded, literal, summed, unreduced
from s2s.reverse.unread import drop_releases, drop_unread

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_ABSENT = object()  # a field a node did not have (the journal deletes it again)


def simplify(sweeps: Sweeps, types: dict[str, VType], ir: FunctionIR) -> None:
    """Fold constant cotangents in ``sweeps.adjoint`` (see the module docstring); ``types``
    are the primal values' static types, ``ir`` the normal form they come from."""
    if not all(_handled(block.body) for block in sweeps.adjoint):
        return  # (a with, a try, a nested def: left as they are)
    assigned: dict[str, int] = {}
    for stmt in ir.flat:
        for target in stmt.targets:
            assigned[target] = assigned.get(target, 0) + 1
    stable: dict[str, Arr] = {}  # every value a name ever holds has this shape and dtype
    for var, known in types.items():  # assigned once, or a loop's (its types are joined)
        once = assigned.get(var, 0) <= 1 or var in ir.carried
        if once and known.kind == "float" and known.array is not False:
            if known.shape and known.dtype in _FLOATS:
                stable[var] = Arr(tuple(known.shape), np.dtype(known.dtype))
    folder = _Folder(stable)
    for block in sweeps.adjoint:
        folder.body(block.body)
    if any(getattr(s, "s2s_constant", False)
           for block in sweeps.adjoint for top in block.body for s in statements_in(top)):
        read = {n for g in sweeps.gradients for n in names_in(g)}  # (none marked: none to drop)
        for block in reversed(sweeps.adjoint):
            block.body = drop_unread(block.body, read)
    drop_releases(sweeps.adjoint)


_STATEMENTS = (gast.Assign, gast.AugAssign, gast.Expr, gast.For, gast.While, gast.If, gast.Pass)


def _handled(body: list[gast.stmt]) -> bool:
    """Whether every statement in ``body``, nested ones too, is of a kind the folding knows
    (statements nest only in the bodies of compound ones: of these, a loop's or a branch's)."""
    return all(
        isinstance(stmt, _STATEMENTS)
        and (not isinstance(stmt, (gast.For, gast.While, gast.If))
             or _handled(stmt.body) and _handled(stmt.orelse))  # fmt: skip
        for stmt in body
    )


class _Folder:
    def __init__(self, stable: dict[str, Arr]) -> None:
        self.stable = stable  # primal values: what a tape pop or a recomputation restores
        self.env: dict[str, Any] = {}  # the adjoint's values, as this point of the sweep
        self.roots: dict[str, str] = {}  # a name bound to another's array: the first name
        # while a loop's fixpoint is tried: each field or item changed, and what it held
        self.journal: list[tuple[Any, Any, Any]] | None = None

    def put(self, node: Any, field: Any, value: Any) -> None:
        """``node.field = value`` (``node[field]`` for a list), noted in the journal if kept."""
        if type(node) is list:
            if self.journal is not None:
                self.journal.append((node, field, node[field]))
            node[field] = value
            return
        if self.journal is not None:
            self.journal.append((node, field, node.__dict__.get(field, _ABSENT)))
        setattr(node, field, value)

    def undo(self, mark: int) -> None:
        """Put back, latest first, what the journal noted since its length was ``mark``."""
        for node, field, old in reversed(self.journal[mark:]):
            if type(node) is list:
                node[field] = old
            elif old is _ABSENT:
                del node.__dict__[field]
            else:
                setattr(node, field, old)
        del self.journal[mark:]

    def body(self, statements: list[gast.stmt]) -> None:
        for i, stmt in enumerate(statements):
            self.put(statements, i, self.statement(stmt) or stmt)

    def statement(self, stmt: gast.stmt) -> gast.stmt | None:
        """Fold ``stmt`` in place, or return the statement that replaces it."""
        if isinstance(stmt, (gast.For, gast.While, gast.If)):
            self.compound(stmt)
            return
        if isinstance(stmt, gast.Pass):
            return
        if isinstance(stmt, gast.Expr):
            if not is_comment_marker(stmt):
                self.put(stmt, "value", self.fold(stmt.value)[0])
            return
        if isinstance(stmt, gast.AugAssign) or getattr(stmt, "s2s_owned", False):
            value = stmt.value if isinstance(stmt, gast.AugAssign) else stmt.value.right
            folded, fact = self.operand(value)
            target = stmt.target if isinstance(stmt, gast.AugAssign) else stmt.targets[0]
            if isinstance(fact, Fill) and self.takes_number(target, fact):
                folded = constant(float(fact.value))  # `d += c`: every entry, as the array did
            if isinstance(stmt, gast.AugAssign):
                self.put(stmt, "value", folded)
            else:
                self.put(stmt.value, "right", folded)
            first = self.first_write(stmt, fact)
            self.written(target)
            return first
        target = stmt.targets[0] if len(stmt.targets) == 1 else None
        if not isinstance(target, gast.Name):
            self.put(stmt, "value", self.operand(stmt.value)[0])  # x[k] = v copies v's values
            for each in stmt.targets:
                self.written(each)
                for node in walk(each):
                    if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                        self.forget(node.id)
            return
        folded, fact = self.fold(stmt.value)
        if isinstance(fact, Same):  # its own new array; later reads see an array
            fact = Arr(fact.shape, fact.dtype)
        if isinstance(fact, Fill) and not isinstance(folded, gast.Name) and not _is_call(
            folded, "_s2s", "filled"
        ) and not _is_call(folded, "_s2s", "unreduce"):  # (a broadcast view stays one)
            folded = _full(fact)  # a fresh array, as the product it replaces was
        self.put(stmt, "value", folded)
        self.put(stmt, "s2s_fact", fact)  # read by s2s.reverse.scaling: a new array of this
        # shape and dtype
        self.forget(target.id)
        if fact is not None:
            self.env[target.id] = fact
        if isinstance(fact, (Fill, Num)) and _pure_value(folded):
            self.put(stmt, "s2s_constant", True)  # dropped if nothing reads it
        shared = folded.args[0] if _is_call(folded, "_s2s", "unreduce") else folded  # (a view
        if isinstance(shared, gast.Name):  # of its cotangent: a write into one changes both)
            self.roots[target.id] = self.roots.get(shared.id, shared.id)

    def compound(self, stmt: gast.For | gast.While | gast.If) -> None:
        """A loop's top sees the values of its previous trip, a join either arm's: a fact
        about a name the statement changes holds in it only where every path agrees (for a
        loop, a fixpoint: assumed at the top, kept if a trip ends with it; each try folds the
        loop itself, and what a failed one changed is put back)."""
        changed: set[str] = set()
        jumps = False
        for n in inner_nodes(stmt):  # once: what the statement changes, whether it jumps
            if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
                changed.add(n.id)
            if isinstance(n, gast.AugAssign) or isinstance(getattr(n, "ctx", None), gast.Store):
                changed.update(name_list(getattr(n, "target", n)))  # x[key] = v, x += v
            elif isinstance(n, gast.Call) and not _pure(n):
                changed.update(a.id for a in n.args if isinstance(a, gast.Name))
            elif isinstance(n, (gast.Break, gast.Continue, gast.Return)):
                jumps = True
        self.stale(changed)
        entry = dict(self.env)
        for var in list(self.roots):
            if var in changed or self.roots[var] in changed:
                self.roots.pop(var)
        roots = dict(self.roots)

        def run(node: gast.stmt, assume: dict[str, Any]) -> list[dict[str, Any]]:
            """The facts at the end of each path through ``node`` from the assumed ones."""
            ends = []
            for part in (node.body, node.orelse):
                self.env = {v: f for v, f in entry.items() if v not in changed} | assume
                self.roots = dict(roots)
                self.body(part)
                ends.append(self.env)
            return ends

        assume = {} if jumps else {v: entry[v] for v in changed if v in entry}
        if not isinstance(stmt, gast.If):  # a zero buffer a trip writes is not zero at the top
            assume = {v: f for v, f in assume.items() if not isinstance(f, Zeros)}  # of the next
        if isinstance(stmt, gast.If):
            ends = run(stmt, assume)
        else:
            while True:  # each try folds the loop itself, undone where a trip does not keep
                outer = self.journal  # the facts assumed (none assumed: nothing to try)
                if assume and outer is None:
                    self.journal = []
                mark = len(self.journal) if assume else 0
                ends = run(stmt, assume)
                kept = {v: f for v, f in assume.items() if ends[0].get(v) == f}
                if kept != assume:
                    self.undo(mark)
                if assume and outer is None:
                    self.journal = None
                if kept == assume:
                    break
                assume = kept
            ends = [assume, ends[1] if stmt.orelse else assume]
        self.env = {v: f for v, f in entry.items() if v not in changed}
        self.env |= {v: f for v, f in ends[0].items() if v in changed and ends[1].get(v) == f}
        self.roots = roots

    def first_write(self, stmt: gast.stmt, fact: Any) -> gast.Assign | None:
        """``d[key] += v`` into a zero buffer nothing has written yet, of ``v``'s dtype (or a
        Python number): ``d[key] = v``, the same values without the addition (0 + v is v; a
        zero keeps its sign), as a hand-written gradient starts its buffer."""
        target = stmt.target if isinstance(stmt, gast.AugAssign) else None
        if not (isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add)
                and isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
            return None  # fmt: skip
        buffer = self.known(target.value.id)
        if not isinstance(buffer, Zeros) or any(
            isinstance(n, gast.Name) and n.id == target.value.id for n in walk(stmt.value)
        ):
            return None
        if isinstance(fact, Num) and fact.weak or (
            isinstance(fact, Arr) and fact.dtype == buffer.dtype
        ):
            new = gast.Assign(targets=[target], value=stmt.value, type_comment=None)
            return gast.copy_location(new, stmt)
        return None

    def known(self, var: str) -> Any:
        return self.env.get(var, self.stable.get(var))

    def takes_number(self, target: gast.expr, fill: Fill) -> bool:
        """Whether adding ``fill`` into ``target`` (a name, or a region ``name[key]``, of its
        dtype) adds its number to every entry of the target: the target's shape is the fill's,
        or a region of it that the fill broadcasts to."""
        base = target
        while isinstance(base, gast.Subscript):
            base = base.value
        known = self.known(base.id) if isinstance(base, gast.Name) else None
        if not isinstance(known, Arr) or known.dtype != fill.dtype or not np.isfinite(fill.value):
            return False
        return base is not target or known.shape == fill.shape

    def written(self, target: gast.expr) -> None:
        """``target`` (a name or ``name[key]``) was written in place or accumulated into: its
        shape and dtype stay, its entries (and those of names bound to the same array) not."""
        while isinstance(target, gast.Subscript):
            target = target.value
        if not isinstance(target, gast.Name):
            return
        root = self.roots.get(target.id, target.id)
        group = {n for n, r in self.roots.items() if r == root} | {root, target.id}
        self.stale(group)
        for other in group:
            fact = self.env.get(other)
            if isinstance(fact, (Fill, Zeros)):
                self.env[other] = Arr(fact.shape, fact.dtype)
            elif fact is not None and not isinstance(fact, Arr):
                del self.env[other]

    def forget(self, var: str) -> None:
        """``var`` is rebound: what was known of it, and of names bound to it, is stale."""
        self.env.pop(var, None)
        self.roots.pop(var, None)
        for other in [n for n, r in self.roots.items() if r == var]:
            self.roots.pop(other)
        self.stale({var})

    def stale(self, names: set[str]) -> None:
        """The arrays of ``names`` change: an expansion of one of them is only an array now."""
        for var, fact in [(v, f) for v, f in self.env.items()
                          if isinstance(f, Expanded) and f.source in names]:  # fmt: skip
            self.env[var] = Arr(fact.shape, fact.dtype)

    def fold(self, node: gast.expr) -> tuple[gast.expr, Any]:
        """``node`` simplified, and what is known of its value (an Arr, Fill, Num or None)."""
        if isinstance(node, gast.Name):
            return node, self.known(node.id)
        if isinstance(node, gast.Constant):
            value = node.value
            weak = type(value) in (int, float)
            return node, Num(value, True) if weak else None
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            operand, fact = self.operand(node.operand)
            self.put(node, "operand", operand)
            if isinstance(fact, Fill):
                return node, Fill(fact.shape, fact.dtype, -fact.value)
            if isinstance(fact, Num):
                return node, Num(-fact.value, fact.weak)
            return node, Arr(fact.shape, fact.dtype) if isinstance(fact, Arr) else None
        if isinstance(node, gast.BinOp):
            folded, left = self.operand(node.left)
            self.put(node, "left", folded)
            folded, right = self.operand(node.right)
            self.put(node, "right", folded)
            new_left, left, new_right, right = expanded(node, left, right)
            self.put(node, "left", new_left)
            self.put(node, "right", new_right)
            return _binop(node, left, right)
        if isinstance(node, gast.Attribute) and node.attr == "T":
            folded, fact = self.fold(node.value)
            self.put(node, "value", folded)
            return node, Arr(fact.shape[::-1], fact.dtype) if isinstance(fact, Arr) else None
        if isinstance(node, gast.Call):
            fold = self.operand if _pure(node) else self.fold  # a helper may write into it
            self.put(node, "args", [fold(a)[0] for a in node.args])
            for keyword in node.keywords:
                self.put(keyword, "value", self.fold(keyword.value)[0])
            if not _pure(node) and not _is_call(node, "_s2s", "unreduce"):  # (it only reads)
                # a helper may write into an array it is given
                for arg in node.args:
                    if isinstance(arg, gast.Name):
                        self.written(arg)
            return self.call(node)
        for field, value in gast.iter_fields(node):  # any other expression: its parts
            if isinstance(value, gast.expr):
                self.put(node, field, self.fold(value)[0])
            elif isinstance(value, list):
                self.put(node, field, [self.fold(v)[0] if isinstance(v, gast.expr) else v
                                       for v in value])  # fmt: skip
        return node, None

    def operand(self, node: gast.expr) -> tuple[gast.expr, Any]:
        """:meth:`fold` of an operand whose array no one keeps (of arithmetic, of a ufunc):
        a product with ones is its other factor (the same values; the operation makes the new
        array)."""
        folded, fact = self.fold(node)
        if isinstance(fact, Same):
            return fact.operand, Arr(fact.shape, fact.dtype)
        return folded, fact

    def call(self, node: gast.Call) -> tuple[gast.expr, Any]:
        args = node.args
        if _is_call(node, "_np", "float64") or _is_call(node, "_np", "float32"):
            if len(args) == 1 and isinstance(args[0], gast.Constant) and not node.keywords:
                value = args[0].value
                if type(value) in (int, float):
                    return node, Num(getattr(np, node.func.attr)(value), False)
        if _is_call(node, "_s2s", "zeros_like_acc") and len(args) == 1 and not node.keywords:
            ref = self.fold(args[0])[1]  # a float32 or float64 array: its own dtype
            return node, Zeros(ref.shape, ref.dtype) if type(ref) is Arr else None
        if _is_call(node, "_s2s", "filled") and len(args) == 3:
            number = self.fold(args[0])[1]
            shape = literal(args[1])
            dtype = literal(args[2])
            if isinstance(number, Num) and isinstance(shape, tuple) and shape and dtype in (
                "float32", "float64",
            ) and all(type(n) is int for n in shape):
                kind = np.dtype(dtype)
                return node, Fill(shape, kind, np.asarray(number.value).astype(kind)[()])
        func = node.func
        ufunc = getattr(np, func.attr, None) if (
            isinstance(func, gast.Attribute) and _is_call(node, "_np", func.attr)
        ) else None  # fmt: skip
        if isinstance(ufunc, np.ufunc) and ufunc.nout == 1 and len(args) == ufunc.nin:
            return node, _ufunc_fact(ufunc, [self.fold(a)[1] for a in args], node.keywords)
        if _is_call(node, "_s2s", "unreduce") and len(args) == 4 and not node.keywords:
            return node, unreduced(args, [self.fold(a)[1] for a in args[:2]])
        if _is_call(node, "_np", "sum") and len(args) == 1:
            return node, summed(self.fold(args[0])[1], node.keywords)
        if _is_call(node, "_s2s", "power_dbase") and len(args) == 2 and not node.keywords:
            base = self.fold(args[0])[1]
            exponent = literal(args[1])
            if type(exponent) is int and exponent >= 2:  # any base: x2 * x1 ** (x2 - 1) exactly
                power = (copy_tree(args[0]) if exponent == 2 else gast.BinOp(
                    left=copy_tree(args[0]), op=gast.Pow(), right=constant(exponent - 1)))
                return gast.BinOp(left=constant(exponent), op=gast.Mult(), right=power), base
        return node, None


def _binop(node: gast.BinOp, left: Any, right: Any) -> tuple[gast.expr, Any]:
    """A product with a filled array folded; the static facts of other arithmetic."""
    op = node.op
    if isinstance(left, Num) and isinstance(right, Num):
        if not isinstance(op, (gast.Mult, gast.Div, gast.Add, gast.Sub)):
            return node, None
        try:  # as the generated line computes it: Python numbers, or numpy scalars
            with np.errstate(all="ignore"):
                value = _apply(op, left.value, right.value)
        except ArithmeticError:
            return node, None
        weak = left.weak and right.weak
        return node, Num(value, weak) if not weak or type(value) in (int, float) else None
    if isinstance(op, (gast.Mult, gast.Add, gast.Sub, gast.Div)):
        folded = _with_fill(node, left, right)
        if folded is not None:
            return folded
    if isinstance(op, gast.MatMult):  # two matrices of one dtype: a new (m, n) matrix
        if isinstance(left, Arr) and isinstance(right, Arr) and left.dtype == right.dtype and (
            len(left.shape) == len(right.shape) == 2 and left.shape[1] == right.shape[0]
        ):
            return node, Arr((left.shape[0], right.shape[1]), left.dtype)
        return node, None
    if not isinstance(op, (gast.Mult, gast.Div, gast.Add, gast.Sub)):
        return node, None
    arrays = [f for f in (left, right) if isinstance(f, Arr)]
    others = [f for f in (left, right) if not isinstance(f, Arr)]
    if not arrays or any(not (isinstance(f, Num) and f.weak) for f in others):
        return node, None
    if len({a.dtype for a in arrays}) != 1:
        return node, None
    try:
        shape = tuple(np.broadcast_shapes(*(a.shape for a in arrays)))
    except ValueError:
        return node, None
    return node, Arr(shape, arrays[0].dtype)


def _with_fill(node: gast.BinOp, left: Any, right: Any) -> tuple[gast.expr, Any] | None:
    """``fill * e``, ``fill + e``, ``e - fill``, ``fill / e`` ... with the filled array's
    number written in its place (``c * e``), or nothing (``1 * e`` is ``e`` where ``e`` is a
    new array; ``1.0 * e`` where ``e`` is a name, as :class:`Same`); two
    filled arrays, or one and a Python number, give a filled array (built only if read)."""
    op = node.op
    if isinstance(left, Fill) and isinstance(right, (Fill, Num)) or (
        isinstance(right, Fill) and isinstance(left, Num)
    ):
        if isinstance(op, gast.Div):
            return None  # (a division by zero warns when it runs)
        fill = left if isinstance(left, Fill) else right
        if any(isinstance(f, Num) and not (f.weak and type(f.value) in (int, float))
               for f in (left, right)):  # fmt: skip
            return None  # a numpy scalar may promote
        both = isinstance(left, Fill) and isinstance(right, Fill)
        if both and (left.shape, left.dtype) != (right.shape, right.dtype):
            return None
        a = np.asarray(left.value, fill.dtype) if isinstance(left, Fill) else left.value
        b = np.asarray(right.value, fill.dtype) if isinstance(right, Fill) else right.value
        with np.errstate(all="ignore"):
            value = np.asarray(_apply(op, a, b))  # a Python number is weak (NEP 50)
        if value.dtype != fill.dtype:
            return None
        return node, Fill(fill.shape, fill.dtype, value[()])
    for fill, other, expr, first in ((left, right, node.right, True),
                                     (right, left, node.left, False)):  # fmt: skip
        if not isinstance(fill, Fill) or not isinstance(other, Arr) or isinstance(other, Fill):
            continue
        if (other.shape, other.dtype) != (fill.shape, fill.dtype) or not np.isfinite(fill.value):
            continue  # the result has other's shape and dtype, as the original had
        fact = Arr(other.shape, other.dtype)
        number = constant(float(fill.value))
        if isinstance(op, gast.Mult) and fill.value == 1:
            if fresh(expr):
                return expr, fact
            same = Same(other.shape, other.dtype, expr)  # a name is borrowed: a new array,
            return gast.BinOp(left=constant(1.0), op=gast.Mult(), right=expr), same  # exactly
        if isinstance(op, (gast.Sub, gast.Div)) and first:  # fill - e, fill / e
            return gast.BinOp(left=number, op=type(op)(), right=expr), fact
        if isinstance(op, (gast.Sub, gast.Div)):  # e - fill, e / fill
            return gast.BinOp(left=expr, op=type(op)(), right=number), fact
        return gast.BinOp(left=number, op=op, right=expr), fact
    return None


def fresh(expr: gast.expr) -> bool:
    """Whether ``expr`` (of a float array's proven shape) evaluates to a new array: arithmetic,
    or a numpy ufunc called without keywords."""
    if isinstance(expr, (gast.BinOp, gast.UnaryOp)):
        return True
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and (
        isinstance(expr.func.value, gast.Name) and expr.func.value.id == "_np"
    ):
        if expr.func.attr == "sum" and len(expr.args) == 1:  # over axes: a new array
            given = {k.arg: k.value for k in expr.keywords}
            return "axis" in given and set(given) <= {"axis", "keepdims"} and literal(
                given["axis"]) is not None and bool(axes_of(given["axis"], 32))  # (the caller
            # knows the array's proven shape, and that an axis is left)
        return isinstance(getattr(np, expr.func.attr, None), np.ufunc) and not expr.keywords
    return False


def _apply(op: gast.operator, a: Any, b: Any) -> Any:
    if isinstance(op, gast.Mult):
        return a * b
    if isinstance(op, gast.Div):
        return a / b
    return a + b if isinstance(op, gast.Add) else a - b


def _full(fact: Fill) -> gast.expr:
    func = gast.Attribute(value=name("_np"), attr="full", ctx=gast.Load())
    return gast.Call(
        func=func,
        args=[constant(fact.shape), constant(float(fact.value)), constant(fact.dtype.name)],
        keywords=[],
    )


def _ufunc_fact(ufunc: np.ufunc, facts: list[Any], keywords: list) -> Arr | None:
    """The shape and dtype of a ufunc's result on float arrays of known shapes and numbers
    (its dtype as numpy resolves it, on a one-element sample)."""
    arrays = [f for f in facts if isinstance(f, Arr)]
    if keywords or not arrays or any(
        not isinstance(f, Arr) and not (isinstance(f, Num) and f.weak) for f in facts
    ):
        return None
    try:
        shape = tuple(np.broadcast_shapes(*(a.shape for a in arrays)))
        with np.errstate(all="ignore"):
            sample = ufunc(*[np.ones(1, f.dtype) if isinstance(f, Arr) else f.value
                             for f in facts])  # fmt: skip
    except (TypeError, ValueError):
        return None
    return Arr(shape, sample.dtype) if sample.dtype in _FLOATS else None


def _pure_value(node: gast.expr) -> bool:
    """Whether computing ``node`` has no effect but its value (names, numbers, arithmetic and
    the calls :func:`_pure` allows)."""
    for part in walk(node):
        if isinstance(part, gast.Call) and not (
            _pure(part) or _is_call(part, "_np", "float64") or _is_call(part, "_np", "float32")
            or _is_call(part, "_np", "full")
        ):
            return False
    return True


def _pure(node: gast.Call) -> bool:
    """Whether the call writes into none of its arguments: a numpy ufunc without keywords, or
    a helper this pass reads."""
    func = node.func
    if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
        return False
    if func.value.id == "_np":
        return isinstance(getattr(np, func.attr, None), np.ufunc) and not node.keywords
    return func.value.id == "_s2s" and func.attr in ("filled", "power_dbase")


def _is_call(node: gast.expr, module: str, attr: str) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and isinstance(node.func.value, gast.Name)
        and node.func.value.id == module
        and node.func.attr == attr
    )


