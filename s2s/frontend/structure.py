"""Structure: normalize's branches, loops, comprehensions, lists and writes into arrays.

Before: a write into an array and a list literal summed; after, one primitive per statement,
the write as written and the list's items named:

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
>>> def written(x):
...     y = np.zeros(3)
...     y[0] = x[1]
...     return np.sum([x[0], y[0]])
>>> show(written)
y = _np.zeros(3)
getitem_1 = x[1]
y[0] = getitem_1
getitem_2 = x[0]
getitem_3 = y[0]
sum_1 = _np.sum([getitem_2, getitem_3])
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import gast

from s2s.codegen.ir import APPEND, COPY, OPAQUE, SETITEM, Branch, Loop, Stmt
from s2s.codegen.templating import constant
from s2s.codegen.walking import inner_nodes, statements_in, walk
from s2s.frontend.assignments import Assignments
from s2s.frontend.loopitems import enumerate_parts
from s2s.frontend.normstate import Lowering, NormalizeState
from s2s.frontend.resolve import Target
from s2s.frontend.spellings import name_node


class Structure:
    """The statements of :class:`s2s.frontend.normalize.Normalizer` that nest or change state:
    ``if``/``for``/``while``, ``a if c else b``, ``and``/``or``, comprehensions (as loops), and
    ``x[key] = v``. Their parts are normalized through ``lower``; a loop's element and a
    branch's value are bound by ``assignments``."""

    def __init__(self, state: NormalizeState, lower: Lowering, assignments: Assignments) -> None:
        self.state = state
        self.lower = lower
        self.assignments = assignments

    def branch(self, stmt: gast.If) -> None:
        """``if``: a branch on the test's atom, each arm a block of its own."""
        test = self.lower.atom(stmt.test)
        body, orelse = self.lower.block(stmt.body), self.lower.block(stmt.orelse)
        self.state.body.append(Branch(test, body, orelse, stmt))

    def while_loop(self, stmt: gast.While) -> None:
        """``while``: a loop whose test is computed by statements of its own, each iteration."""
        test_body, test = self.state.collect(lambda: self.lower.atom(stmt.test))
        self.state.node = stmt
        body, orelse = self.lower.block(stmt.body), self.lower.block(stmt.orelse)
        self.state.body.append(Loop(None, None, test_body, test, body, orelse, stmt))

    def choice(self, node: gast.expr) -> gast.Name:
        """``a if c else b``, ``a and b``, ``a or b`` as branches assigning one temporary, so
        only the operand Python evaluates runs (and is differentiated)."""
        st = self.state
        result = st.temp("ifexp" if isinstance(node, gast.IfExp) else "boolop")
        st.carried.add(result)

        def set_to(value: gast.expr) -> Callable[[], None]:
            return lambda: self.assignments.bind_atom(result, self.lower.atom(value))

        if isinstance(node, gast.IfExp):
            test = self.lower.atom(node.test)
            body = st.collect(set_to(node.body))[0]
            orelse = st.collect(set_to(node.orelse))[0]
            st.body.append(Branch(test, body, orelse, st.node))
            return name_node(result)
        self.assignments.bind_atom(result, self.lower.atom(node.values[0]))
        for value in node.values[1:]:  # and: go on while true; or: go on while false
            rest = st.collect(set_to(value))[0]
            if isinstance(node.op, gast.And):
                st.body.append(Branch(name_node(result), rest, [], st.node))
            else:
                st.body.append(Branch(name_node(result), [], rest, st.node))
        return name_node(result)

    def comprehension(self, node: gast.expr) -> gast.Name:
        """``[f(x) for x in xs if c]`` as the loop it means: a list built with ``.append``
        (its variables renamed, since a comprehension has its own scope)."""
        st = self.state
        result = st.temp("listcomp")
        st.carried.add(result)
        empty = Stmt((result,), gast.List(elts=[], ctx=gast.Load()), OPAQUE, [], node=st.node)
        st.body.append(empty)
        renames: dict[str, str] = {}  # each part renamed by the targets bound where it runs:

        def rename(part: gast.AST) -> None:
            for sub in walk(part):
                if isinstance(sub, gast.Name) and sub.id in renames:
                    sub.id = renames[sub.id]

        for generator in node.generators:
            rename(generator.iter)  # the first runs in the enclosing scope (`for x in x`)
            for target in walk(generator.target):
                if isinstance(target, gast.Name):
                    renames[target.id] = st.temp(target.id)
                    st.carried.add(renames[target.id])
            for part in [generator.target, *generator.ifs]:
                rename(part)
        rename(node.elt)
        append = gast.Attribute(value=name_node(result), attr="append", ctx=gast.Load())
        inner: gast.stmt = gast.Expr(value=gast.Call(func=append, args=[node.elt], keywords=[]))
        for generator in reversed(node.generators):
            body = [inner]
            for condition in reversed(generator.ifs):
                body = [gast.copy_location(gast.If(test=condition, body=body, orelse=[]), node)]
            loop = gast.For(target=generator.target, iter=generator.iter, body=body, orelse=[],
                            type_comment=None)  # fmt: skip
            inner = gast.copy_location(loop, node)
            loop.s2s_checkpoint_refusal = getattr(node, "s2s_checkpoint_refusal", None)
        for sub in walk(inner):
            if getattr(sub, "lineno", None) is None and isinstance(sub, gast.stmt):
                gast.copy_location(sub, node)
        saved = st.node
        self.lower.statement(inner)
        st.node = saved
        return name_node(result)

    def for_loop(self, stmt: gast.For) -> None:
        """``for t in range(...)`` as written; over a sequence, ``enumerate`` or ``zip`` by
        index, so each element is a differentiable ``seq[i]``."""
        st = self.state
        it = stmt.iter
        target = getattr(getattr(it, "func", None), "s2s_target", None)
        kind = target.obj if isinstance(target, Target) else None
        backwards = False
        if kind is reversed and len(it.args) == 1 and not it.keywords:
            inner = getattr(getattr(it.args[0], "func", None), "s2s_target", None)
            if isinstance(inner, Target) and inner.obj is range:  # reversed(range(n))
                it, kind, backwards = it.args[0], range, True
        elements: list[tuple[gast.expr, gast.expr]] = []  # (target, sequence)
        counted: tuple[gast.expr, gast.expr] | None = None  # enumerate's count from start
        if kind is range and isinstance(stmt.target, gast.Name):
            bounds = [self.lower.atom(a) for a in it.args]
            iterable = gast.Call(func=it.func, args=bounds, keywords=[])
            if backwards:  # range(...)[::-1] is the reversed range, still a range
                every = gast.Slice(lower=None, upper=None, step=constant(-1))
                iterable = gast.Subscript(value=iterable, slice=every, ctx=gast.Load())
            loop_target = stmt.target.id
        else:
            index_holder: list[tuple[str, gast.expr | None]] = []
            pairs = self.iteration_pairs(stmt.target, it, index_holder)
            counter, start = index_holder[0] if index_holder else (None, None)
            sequences = [seq for _, seq in pairs]
            atoms = [self.lower.atom(seq) for seq in sequences]
            if start is not None:  # enumerate(xs, start=k): k is read once, before the loop
                sequences.append(start)
                atoms.append(self.lower.atom(start))
            stored = {
                n.id
                for n in walk(stmt)
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
            }
            for k, (sequence, atom) in enumerate(zip(sequences, atoms)):
                if isinstance(sequence, gast.Name) and sequence.id in stored:
                    # for x in x: the loop rebinds the name, so it reads a copy of the sequence
                    held = st.temp(f"{sequence.id}_sequence")
                    st.body.append(Stmt((held,), atom, COPY, [atom], node=stmt))
                    atoms[k] = name_node(held)
            first = atoms.pop() if start is not None else None
            lengths = [gast.Call(func=name_node("len"), args=[a], keywords=[]) for a in atoms]
            count = (
                lengths[0]
                if len(lengths) == 1
                else gast.Call(func=name_node("min"), args=lengths, keywords=[])
            )
            count = self.lower.atom(count)
            iterable = gast.Call(func=name_node("range"), args=[count], keywords=[])
            loop_target = counter if counter and first is None else st.temp("index")
            st.carried.add(loop_target)
            elements = [(t, a) for (t, _), a in zip(pairs, atoms)]
            if counter and first is not None:  # the count is the index plus start
                count = gast.BinOp(left=name_node(loop_target), op=gast.Add(), right=first)
                counted = (name_node(counter), count)
        st.bind(loop_target)

        def body() -> None:
            if counted is not None:
                st.node = stmt
                self.assignments.assign([counted[0]], counted[1])
            for element_target, sequence in elements:
                st.node = stmt
                item = gast.Subscript(value=sequence, slice=name_node(loop_target), ctx=gast.Load())
                self.assignments.assign([element_target], item)
            for inner in stmt.body:
                self.lower.statement(inner)

        statements = st.collect(body)[0]
        orelse = self.lower.block(stmt.orelse)
        st.body.append(Loop(loop_target, iterable, [], None, statements, orelse, stmt))

    def iteration_pairs(self, target: gast.expr, it: gast.expr, index: list[str]) -> list:
        """(name, sequence) pairs for ``for target in it`` with ``enumerate`` and ``zip``
        nested in any way (``for i, (x, y) in enumerate(zip(xs, ys))``); ``index`` receives
        the name ``enumerate`` counts with."""
        st = self.state
        kind = getattr(getattr(getattr(it, "func", None), "s2s_target", None), "obj", None)
        if kind is reversed and len(it.args) == 1 and not it.keywords:  # reversed(xs): xs[::-1]
            every = gast.Slice(lower=None, upper=None, step=constant(-1))
            backwards = gast.Subscript(value=it.args[0], slice=every, ctx=gast.Load())
            return self.iteration_pairs(target, backwards, index)
        parts = enumerate_parts(it) if kind is enumerate else None
        if parts is not None and _pair(target, names_only=False):
            counter, element = target.elts
            if isinstance(counter, gast.Name) and not index:
                index.append((counter.id, parts[1]))
                return self.iteration_pairs(element, parts[0], index)
        rows = it
        if isinstance(it, gast.Name) and st.env.get(it.id) in st.literals:
            rows = st.literals[st.env[it.id]]  # for w, b in params, params = ((w1, b1), ...)
        if (
            isinstance(rows, (gast.Tuple, gast.List))
            and isinstance(target, (gast.Tuple, gast.List))
            and rows.elts
            and all(
                isinstance(r, (gast.Tuple, gast.List)) and len(r.elts) == len(target.elts)
                for r in rows.elts
            )
        ):  # for w, b in ((w1, b1), (w2, b2)) is for w, b in zip((w1, w2), (b1, b2))
            columns = [
                gast.Tuple(elts=[r.elts[k] for r in rows.elts], ctx=gast.Load())
                for k in range(len(target.elts))
            ]
            pairs = []
            for element, column in zip(target.elts, columns):
                pairs += self.iteration_pairs(element, column, index)
            return pairs
        if kind is zip and it.args and isinstance(target, (gast.Tuple, gast.List)):
            if len(target.elts) == len(it.args):
                pairs = []
                for element, sequence in zip(target.elts, it.args):
                    pairs += self.iteration_pairs(element, sequence, index)
                return pairs
        return [(target, it)]

    def setitem(self, target: gast.Subscript, value: gast.expr) -> None:
        """``x[key] = value``: ``x`` keeps its name; the tape saves the overwritten entries."""
        st = self.state
        array = self.lower.load(target.value)
        key = self.lower.atom(target.slice)
        new = self.lower.atom(value)
        expr = gast.Subscript(value=array, slice=key, ctx=gast.Store())
        stmt = Stmt((array.id,), expr, SETITEM, [array, key, new], node=st.node)
        st.body.append(stmt)


def list_names(flat: list[Stmt]) -> set[str]:
    """Names holding Python lists built with ``.append`` (and copies of them)."""
    lists = {s.targets[0] for s in flat if s.op is APPEND}
    grown = True
    while grown:
        before = len(lists)
        for stmt in flat:
            if stmt.op is COPY and stmt.targets and set(atom_names_of(stmt.args[0])) & lists:
                lists.add(stmt.targets[0])
            sliced = (  # ys = xs[1:] of a list: a list too
                stmt.op is operator.getitem
                and stmt.targets
                and isinstance(stmt.args[1], gast.Slice)
                and set(atom_names_of(stmt.args[0])) & lists
            )
            if sliced:
                lists.add(stmt.targets[0])
        grown = len(lists) != before
    return lists


def atom_names_of(atom: gast.expr) -> list[str]:
    return [n.id for n in walk(atom) if isinstance(n, gast.Name)]


def fresh_lists(tree: gast.FunctionDef, tangent_lists: set[str], generated: bool = False
                ) -> set[str]:  # fmt: skip
    """Names bound to a list the function makes (a literal or a comprehension), and, of
    ``tangent_lists`` (in s2s's own code: the lists it appends to), those bound to
    ``_s2s.zero_tangent(xs)``: a forward sweep's tangent of a tape, a new list of zeros. In
    s2s's own code (``generated``), also a name bound to such a list (``rows = listcomp_1``)."""
    fresh = set()
    copies = []
    for node in statements_in(tree):
        if not isinstance(node, gast.Assign):
            continue
        value = node.value
        made = isinstance(value, (gast.List, gast.ListComp))
        for target in node.targets:
            if not isinstance(target, gast.Name):
                continue
            if made or (target.id in tangent_lists and runtime_call(value, "zero_tangent")):
                fresh.add(target.id)
            elif generated and isinstance(value, gast.Name):
                copies.append((target.id, value.id))
    # s2s's own code: `rows = listcomp_1`, a comprehension's list under the name it was given
    while any(t not in fresh and v in fresh for t, v in copies):
        fresh |= {t for t, v in copies if v in fresh}
    return fresh


def runtime_call(node: gast.expr, attr: str) -> bool:
    """Whether ``node`` is a call ``_s2s.<attr>(...)`` of s2s's runtime."""
    func = getattr(node, "func", None)
    return (
        isinstance(node, gast.Call)
        and isinstance(func, gast.Attribute)
        and func.attr == attr
        and isinstance(func.value, gast.Name)
        and func.value.id == "_s2s"
    )


def appended_list(node: gast.expr) -> str | None:
    """``xs`` for a call ``xs.append(v)`` on a local name, else ``None``."""
    if (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and node.func.attr == "append"
        and isinstance(node.func.value, gast.Name)
        and len(node.args) == 1
        and not node.keywords
    ):
        return node.func.value.id
    return None


def _pair(target: gast.expr, names_only: bool = True) -> bool:
    if not names_only:
        return isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == 2
    return _names_tuple(target, 2)


def _names_tuple(target: gast.expr, n: int) -> bool:
    return (
        isinstance(target, (gast.Tuple, gast.List))
        and len(target.elts) == n
        and all(isinstance(e, gast.Name) for e in target.elts)
    )


def assigned_in_compound(tree: gast.FunctionDef) -> set[str]:
    """Names assigned inside an ``if``, ``for`` or ``while`` (loop targets included), and
    arrays changed in place (``x[key] = v``): these keep one name, and the tape their values."""
    names: set[str] = set()
    for node in inner_nodes(tree):  # (a set: in no particular order)
        appended = appended_list(node) if isinstance(node, gast.Call) else None
        if appended is not None:
            names.add(appended)
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        for target in targets:
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                names.add(target.value.id)
    return names | bound_in_compound(tree)


def bound_in_compound(tree: gast.FunctionDef) -> set[str]:
    """Names bound (``=``, loop targets, a nested ``def``) inside an ``if``, ``for`` or
    ``while``: a def in each arm of an ``if`` binds one name, which the call after it reads."""
    names: set[str] = set()
    for stmt in straight(tree.body):
        if isinstance(stmt, (gast.If, gast.For, gast.While, gast.Try)):
            for node in inner_nodes(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                    names.add(node.id)
                elif isinstance(node, gast.FunctionDef):
                    names.add(node.name)
    return names


def straight(block: list[gast.stmt]) -> list[gast.stmt]:
    """The statements of ``block`` with the bodies of its ``with`` blocks in their place (a
    ``with`` body runs once, in line)."""
    out: list[gast.stmt] = []
    for stmt in block:
        out += straight(stmt.body) if isinstance(stmt, gast.With) else [stmt]
    return out
