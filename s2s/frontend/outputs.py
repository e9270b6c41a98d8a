"""Several outputs: calls that return more than one value, tuples bound to names, and items.

Before: a call with two outputs, a tuple bound to a name and its items read; after, the
outputs are unpacked once and the items are those names:

>>> import numpy as np
>>> from s2s.codegen.emit import to_source
>>> from s2s.codegen.sweeps import primal_statement
>>> from s2s.frontend.normalize import normalize
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> def show(f):
...     p = parse(f); _ = resolve(p)
...     for s in normalize(p).flat:
...         print(to_source(primal_statement(s), False))
>>> def two_outputs(a):
...     q, r = np.linalg.qr(a)
...     pair = (q, r)
...     return np.sum(pair[0] * pair[1])
>>> show(two_outputs)
q, r = _np.linalg.qr(a)
multiply_1 = q * r
sum_1 = _np.sum(multiply_1)
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

import gast

from s2s import registry
from s2s.codegen.walking import child_nodes, copy_tree, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.normstate import Lowering, NormalizeState
from s2s.frontend.resolve import Method, Target
from s2s.frontend.spellings import METHODS, base_name, hashable, name_node


class SeveralOutputs:
    """The values of several parts in :class:`s2s.frontend.normalize.Normalizer`: one SSA name
    per output of ``eigh``, ``slogdet`` or a helper returning ``a, b``; ``t[i]``, ``t[1:]`` and
    ``r.name`` of them (the call itself and an item's operands normalized through ``lower``)."""

    def __init__(self, state: NormalizeState, lower: Lowering) -> None:
        self.state = state
        self.lower = lower

    def outputs_of(self, node: gast.expr) -> tuple[str, ...] | None:
        """The output names of a call to a rule with several outputs (``eigh``, ``slogdet``)."""
        if not isinstance(node, gast.Call):
            return None
        target = getattr(node.func, "s2s_target", None)
        obj = target.obj if isinstance(target, Target) else None
        if isinstance(target, Method):
            obj = METHODS.get(target.name)
        rule = registry.lookup(obj) if obj is not None and hashable(obj) else None
        if rule is None or rule.n_outputs < 2 or _returns_one(rule, node):
            return None
        if rule.template is None:
            return tuple(f"out{i}" for i in range(rule.n_outputs))
        return rule.parsed().outputs

    def user_outputs(self, node: gast.expr) -> tuple[str, ...] | None:
        """``("item0", "item1")`` for a call of the user's own function whose every ``return``
        is a tuple literal of that length (``return a, b``), else ``None``."""
        if not isinstance(node, gast.Call):
            return None
        st = self.state
        if isinstance(node.func, gast.Name) and st.env.get(node.func.id) in st.lifted_defs:
            definition = st.lifted_defs[st.env[node.func.id]][0]
        else:
            target = getattr(node.func, "s2s_target", None)
            obj = getattr(target, "obj", None) if isinstance(target, Target) else None
            if not self.user_function(node) or obj is None:
                return None
            definition = _definition_of(obj)
        length = _tuple_returns(definition) if definition is not None else None
        return tuple(f"item{i}" for i in range(length)) if length else None

    def unpack_call(self, call: gast.Call, base: str, outputs: tuple[str, ...]) -> list[str]:
        """``base_a, base_b = call``: one SSA name per output."""
        names = [self.state.temp(f"{base}_{out}") for out in outputs]
        stmt = self.lower.primitive(call)
        stmt.targets, stmt.unpack, stmt.node = tuple(names), True, self.state.node
        self.state.body.append(stmt)
        return names

    def outputs_tuple(self, node: gast.expr) -> gast.Tuple | None:
        """The tuple of a rule's several outputs used whole, as an argument: ``f`` of ``f =
        cho_factor(a)`` in ``cho_solve(f, b)``, or the call itself in ``cho_solve(cho_factor(a),
        b)`` (each output a name of its own); ``None`` for anything else."""
        if isinstance(node, gast.Name) and self.state.env.get(node.id) in self.state.multi:
            names = self.state.multi[self.state.env[node.id]][0]
        elif isinstance(node, gast.Call) and (outputs := self.outputs_of(node)) is not None:
            names = self.unpack_call(node, base_name(node), outputs)
        else:
            return None
        return gast.Tuple(elts=[name_node(n) for n in names], ctx=gast.Load())

    def literal_slice(self, node: gast.expr) -> gast.Tuple | None:
        """``t[1:]`` with constant bounds of a tuple literal, a name bound to one, or a call's
        several outputs (``r[1:]`` of ``r = helper(x)``, ``helper(x)[1:]``): the literal of
        the items it keeps, as atoms (``(b, c)``)."""
        if not (isinstance(node, gast.Subscript) and _constant_slice(node.slice)):
            return None
        bounds = [
            _constant_int(b) if b is not None else None
            for b in (node.slice.lower, node.slice.upper, node.slice.step)
        ]
        if bounds[2] == 0:
            return None  # numpy and Python raise: let the primal say so
        base = node.value
        if isinstance(base, (gast.Tuple, gast.List)):
            items = [self.lower.atom(e) for e in base.elts]
        elif isinstance(base, gast.Name) and self.state.env.get(base.id) in self.state.literals:
            items = list(self.state.literals[self.state.env[base.id]].elts)
        elif isinstance(base, gast.Name) and self.state.env.get(base.id) in self.state.multi:
            items = [name_node(n) for n in self.state.multi[self.state.env[base.id]][0]]
        elif isinstance(base, gast.Call):
            outputs = self.outputs_of(base) or self.user_outputs(base)  # helper(x)[1:]
            if outputs is None:
                return None
            items = [name_node(n) for n in self.unpack_call(base, base_name(base), outputs)]
        else:
            return None
        kept = items[slice(*bounds)]
        return gast.Tuple(elts=[copy_tree(e) for e in kept], ctx=gast.Load())

    def literal_item(self, node: gast.expr) -> gast.expr | None:
        """``t[1]`` or ``t[0][1]`` of ``t = ((a, b), c)`` with constant indices: that item, as
        an atom (a name, or a nested tuple literal), else ``None``."""
        if not isinstance(node, gast.Subscript) or _constant_int(node.slice) is None:
            return None
        base = node.value
        if isinstance(base, gast.Name) and self.state.env.get(base.id) in self.state.literals:
            items = self.state.literals[self.state.env[base.id]].elts
        elif isinstance(base, gast.Subscript):
            inner = self.literal_item(base)
            if not isinstance(inner, gast.Tuple):
                return None
            items = inner.elts
        else:
            return None
        index = _constant_int(node.slice)
        return copy_tree(items[index]) if -len(items) <= index < len(items) else None

    def component(self, node: gast.expr) -> str | None:
        """``r[1]``, ``r.logabsdet`` or ``np.linalg.slogdet(a)[1]``: the SSA name of that output."""
        if isinstance(node, gast.Subscript):
            base, key = node.value, node.slice
            if _constant_int(key) is None:
                return None
            index: int | str = _constant_int(key)
        elif isinstance(node, gast.Attribute):
            base, index = node.value, node.attr
        else:
            return None
        if isinstance(base, gast.Name) and self.state.env.get(base.id) in self.state.literals:
            items = self.state.literals[self.state.env[base.id]].elts  # t[1] of t = (a, b): b
            if isinstance(index, int) and -len(items) <= index < len(items):
                item = items[index]
                return item.id if isinstance(item, gast.Name) else None
            return None
        if isinstance(base, gast.Name) and self.state.env.get(base.id) in self.state.multi:
            names, outputs = self.state.multi[self.state.env[base.id]]
        else:
            outputs = self.outputs_of(base) or self.user_outputs(base)
            if outputs is None:
                return None
            names = self.unpack_call(base, base_name(base), outputs)
        if isinstance(index, str):
            if index not in outputs:
                return None
            index = outputs.index(index)
        if not -len(names) <= index < len(names):
            raise UnsupportedSyntaxError(
                f"index {index} is out of range for {len(names)} outputs",
                self.state.primal.where(node),
                "check which output you need",
            )
        return names[index]

    def sequence_arithmetic(self, node: gast.BinOp) -> Any:
        """``t + (v,)``, ``[x] * 3``: Python sequence arithmetic, not numpy's (with an array on
        the other side, ``x * [1.0, 2.0]`` is numpy's and fine). Of integers only (a shape:
        ``(-1,) + (1,) * (x.ndim - 1)``) it is kept whole, an opaque statement (no gradient
        in integers); of values, refused. ``None``: numpy's arithmetic."""
        operands = (node.left, node.right)
        if not any(isinstance(o, (gast.Tuple, gast.List)) for o in operands):
            return None
        sequences = {
            n.targets[0].id
            for n in walk(self.state.primal.tree)
            if isinstance(n, gast.Assign)
            and isinstance(n.targets[0], gast.Name)
            and isinstance(n.value, (gast.Tuple, gast.List))
        }
        integers = self._integer_names()
        literal = (gast.Tuple, gast.List)
        if all(_integer_valued(o, integers) or (isinstance(o, literal) and all(
            _integer_valued(e, integers) for e in o.elts)) for o in operands):  # fmt: skip
            return self.lower.opaque(node)
        if not all(
            isinstance(o, literal)
            or (isinstance(o, gast.Name) and o.id in sequences)
            or (isinstance(o, gast.Constant) and type(o.value) is int)
            for o in operands
        ):
            return None
        raise UnsupportedSyntaxError(
            "`+` or `*` of a tuple or list literal here joins or repeats sequences "
            "(Python), which s2s does not differentiate",
            self.state.primal.where(node),
            "collect the values in a list with `xs.append(v)` and use np.stack(xs), "
            "or index the items directly",
        )

    def _integer_names(self) -> set[str]:
        """Names every assignment of which is an integer-valued expression (``n = x.ndim``)."""
        values: dict[str, list[gast.expr]] = {}
        for n in walk(self.state.primal.tree):
            if isinstance(n, gast.Assign) and len(n.targets) == 1:
                if isinstance(n.targets[0], gast.Name):
                    values.setdefault(n.targets[0].id, []).append(n.value)
            elif isinstance(n, (gast.AugAssign, gast.For)) and isinstance(n.target, gast.Name):
                counted = isinstance(n, gast.For) and isinstance(n.iter, gast.Call) and (
                    isinstance(n.iter.func, gast.Name) and n.iter.func.id == "range")
                values.setdefault(n.target.id, []).append(
                    gast.Constant(0, None) if counted else None)  # fmt: skip
        found: set[str] = set()
        for name, assigned in values.items():
            if all(v is not None and _integer_valued(v, found) for v in assigned):
                found.add(name)
        return found

    def only_items_used(self, user_name: str) -> bool:
        """Whether every read of ``user_name`` is ``user_name[<integer>]``.

        (Depth first, by recursion: the same answer as over the pairs ``ast.walk`` and
        ``ast.iter_child_nodes`` give, found with no generator; past the recursion limit, by
        them.)"""
        tree = self.state.primal.tree
        try:
            return not _read_whole(tree, user_name)
        except RecursionError:  # a tree nested deeper than the interpreter's stack allows
            return not any(_whole_read(node, child, user_name)
                           for node in walk(tree) for child in child_nodes(node))

    def as_tuple(self, atom: gast.expr) -> gast.expr:
        """``tuple(xs)`` for a local list ``xs`` passed to the user's function (which then
        reads its items as those of a tuple argument), else ``atom``."""
        original = self.state.original
        if isinstance(atom, gast.Name) and original.get(atom.id, atom.id) in self.state.lists:
            return gast.Call(func=name_node("tuple"), args=[atom], keywords=[])
        return atom

    def untupled(self, node: gast.Call) -> tuple[gast.Call, set[int]]:
        """``node`` with each positional argument ``tuple(xs)`` of a local list ``xs`` written
        ``xs`` (and the positions of those arguments): the call a derivative (differentiated again)
        makes of the user's function or of its ``pullback_of``, which :meth:`as_tuple` writes
        back, so the list is passed as the first derivative passed it."""
        plain, tupled = [], set()
        for arg in node.args:
            if (isinstance(arg, gast.Call) and isinstance(arg.func, gast.Name)
                    and arg.func.id == "tuple" and len(arg.args) == 1 and not arg.keywords
                    and isinstance(arg.args[0], gast.Name)
                    and arg.args[0].id in self.state.lists):  # fmt: skip
                arg = arg.args[0]
                tupled.add(len(plain))
            plain.append(arg)
        return gast.Call(func=node.func, args=plain, keywords=node.keywords), tupled

    def list_changing_call(self, node: gast.Call) -> bool:
        """Whether a call may change a local list it is given: a nested def, or the user's
        function whose parameter receiving a list is changed there (``items.append(v)``) or
        passed on to a function of the user's."""
        if isinstance(node.func, gast.Name) and node.func.id in self.state.local_defs:
            return True
        if not self.user_function(node):
            return False
        obj = node.func.s2s_target.obj
        try:
            bound = inspect.signature(obj).bind_partial(*node.args, **{
                k.arg: k.value for k in node.keywords if k.arg is not None})
            tree = gast.parse(textwrap.dedent(inspect.getsource(obj))).body[0]
        except (TypeError, OSError, SyntaxError):
            return True
        given = {p for p, a in bound.arguments.items()
                 if isinstance(a, gast.Name) and a.id in self.state.lists}  # fmt: skip
        return any(_changes(tree, p) for p in given)

    def user_function(self, node: gast.Call) -> bool:
        """Whether a call goes to the user's own Python function (not numpy, not a builtin)."""
        if isinstance(node.func, gast.Name) and node.func.id in self.state.local_defs:
            return True
        target = getattr(node.func, "s2s_target", None)
        obj = getattr(target, "obj", None) if isinstance(target, Target) else None
        return (
            inspect.isfunction(obj)
            and not (getattr(obj, "__module__", "") or "").startswith(("numpy", "s2s"))
            and registry.lookup(obj) is None  # scipy.special.logsumexp: a rule, not yours
        )


def _returns_one(rule: registry.Rule, node: gast.Call) -> bool:
    """Whether this call's arguments make a several-output function return one array."""
    if not rule.single_output or rule.template is None:
        return False
    params = list(inspect.signature(rule.template).parameters.values())[rule.n_outputs :]
    try:
        bound = inspect.Signature(params).bind(
            *node.args, **{k.arg: k.value for k in node.keywords}
        )
    except TypeError:
        return False
    for param, value in rule.single_output.items():
        atom = bound.arguments.get(param)
        if isinstance(atom, gast.Constant) and atom.value == value:
            return True
    return False


def _definition_of(function: Any) -> gast.FunctionDef | None:
    """The parsed ``def`` of a Python function, or ``None`` without source."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    tree = gast.parse(source)
    found = tree.body[0] if tree.body else None
    return found if isinstance(found, gast.FunctionDef) else None


def _tuple_returns(definition: gast.FunctionDef) -> int | None:
    """n if every ``return`` of ``definition`` (not of defs inside it) is ``return a, b, ...``
    with n >= 2 items, else ``None``."""
    lengths: set[int] = set()
    pending: list[gast.AST] = list(definition.body)
    returned: list[gast.expr] = []
    bindings: dict[str, list[gast.expr | None]] = {}  # name -> the values bound to it
    while pending:
        node = pending.pop()
        if isinstance(node, (gast.FunctionDef, gast.Lambda, gast.AsyncFunctionDef)):
            continue
        if isinstance(node, gast.Return):
            returned.append(node.value)
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            bindings.setdefault(node.id, []).append(None)  # any store: unknown value
        if isinstance(node, gast.Assign) and len(node.targets) == 1:
            if isinstance(node.targets[0], gast.Name):
                bindings.setdefault(node.targets[0].id, []).append(node.value)
        pending.extend(child_nodes(node))
    for value in returned:
        if isinstance(value, gast.Name):  # return t of t = (a, b), bound once
            bound = [v for v in bindings.get(value.id, []) if v is not None]
            if len(bound) == 1 and len(bindings[value.id]) == 2:  # its Assign and its Name
                value = bound[0]
        if not isinstance(value, gast.Tuple):
            return None
        if any(isinstance(e, (gast.Tuple, gast.List)) for e in value.elts):
            return None  # nested: `return (a, b), c` is not read by position
        lengths.add(len(value.elts))
    if len(lengths) == 1 and min(lengths) >= 2:
        return lengths.pop()
    return None


def _constant_int(node: gast.expr) -> int | None:
    """The value of an integer literal (``2``, ``-1``), else ``None``."""
    sign = 1
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        sign = -1 if isinstance(node.op, gast.USub) else 1
        node = node.operand
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def _constant_slice(node: gast.expr) -> bool:
    """``1:``, ``::-1``: a slice whose bounds are integer literals or absent."""
    return isinstance(node, gast.Slice) and all(
        bound is None or _constant_int(bound) is not None
        for bound in (node.lower, node.upper, node.step)
    )


_READS = {"sum", "len", "max", "min", "tuple", "list", "enumerate", "zip", "reversed", "sorted"}
_LIST_READS = {"index", "count", "copy"}


def _changes(tree: gast.AST, param: str) -> bool:
    """Whether the function ``tree`` may change the list its parameter ``param`` receives."""
    for node in walk(tree):
        if isinstance(node, gast.Attribute) and _is_name(node.value, param):
            if node.attr not in _LIST_READS:
                return True  # items.append(v), items.sort(), ...
        if isinstance(node, (gast.Subscript, gast.Name)) and isinstance(
            node.ctx, (gast.Store, gast.Del)
        ):
            base = node.value if isinstance(node, gast.Subscript) else node
            if _is_name(base, param) and isinstance(node, gast.Subscript):
                return True  # items[0] = v
        if isinstance(node, gast.AugAssign) and _is_name(node.target, param):
            return True  # items += [v]
        if isinstance(node, gast.Call) and any(_is_name(a, param) for a in node.args):
            func = node.func
            known = (isinstance(func, gast.Name) and func.id in _READS) or isinstance(
                func, gast.Attribute
            )  # np.stack(items), ...
            if not known:
                return True  # passed on to a function that might change it
    return False


def _is_name(node: gast.AST, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


_INTEGER_ATTRIBUTES = {"ndim", "size"}
_INTEGER_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)


def _integer_valued(node: gast.expr, names: set[str]) -> bool:
    """Whether ``node`` is an integer however the function is called: an int constant, an
    array's ``.ndim``/``.size``/``.shape[k]``, ``len(...)``, a name of ``names``, and integer
    arithmetic of those."""
    if isinstance(node, gast.Constant):
        return type(node.value) is int
    if isinstance(node, gast.Name):
        return node.id in names
    if isinstance(node, gast.Attribute):
        return node.attr in _INTEGER_ATTRIBUTES
    if isinstance(node, gast.Subscript):
        shape = node.value
        return isinstance(shape, gast.Attribute) and shape.attr == "shape" and isinstance(
            node.slice, gast.Constant
        )
    if isinstance(node, gast.Call):
        return isinstance(node.func, gast.Name) and node.func.id == "len"
    if isinstance(node, gast.UnaryOp):
        return isinstance(node.op, gast.USub) and _integer_valued(node.operand, names)
    if isinstance(node, gast.BinOp):
        return isinstance(node.op, _INTEGER_OPS) and all(
            _integer_valued(o, names) for o in (node.left, node.right)
        )
    return False


def _read_whole(node: gast.AST, user_name: str) -> bool:
    """Whether some read of ``user_name`` under ``node`` is not ``user_name[<integer>]``."""
    for field in node._fields:
        value = getattr(node, field, None)
        for child in value if isinstance(value, list) else (value,):
            if isinstance(child, gast.AST) and (
                _whole_read(node, child, user_name)
                or (child._fields and _read_whole(child, user_name))  # (not a context: leaf)
            ):
                return True
    return False


def _whole_read(node: gast.AST, child: gast.AST, user_name: str) -> bool:
    """Whether ``child``, a child of ``node``, reads ``user_name`` other than as an item
    (``user_name[<integer>]``, a slice of constants, or the value unpacked: ``a, b = r``)."""
    return (
        isinstance(child, gast.Name)
        and child.id == user_name
        and isinstance(child.ctx, gast.Load)
        and not (
            isinstance(node, gast.Subscript)
            and node.value is child
            and (_constant_int(node.slice) is not None or _constant_slice(node.slice))
        )
        and not (isinstance(node, gast.Assign) and node.value is child)  # a, b = r
    )
