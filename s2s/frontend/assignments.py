"""Assignments: names bound by ``=``, unpacking and ``op=``, as SSA names of the normal form.

Before: a swap and an augmented assignment; after, each binding is a new SSA name:

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
>>> def swap(x, y):
...     x, y = y, x
...     x += y
...     return x
>>> show(swap)
x_2 = y
y_2 = x
add_1 = x_2 + y_2
x_3 = _s2s.augmented(add_1, x_2)
"""

from __future__ import annotations

import operator

import gast

from s2s import runtime
from s2s.codegen.ir import COPY, Stmt, atom_names
from s2s.codegen.walking import copy_tree, walk
from s2s.errors import MutationError, UnsupportedSyntaxError
from s2s.frontend.lifting import Lifting
from s2s.frontend.normstate import Lowering, NormalizeState
from s2s.frontend.outputs import SeveralOutputs
from s2s.frontend.spellings import attr_chain, base_name, name_node


class Assignments:
    """``a = v``, ``a, b = v``, ``a = b = v`` and ``a op= v`` for
    :class:`s2s.frontend.normalize.Normalizer`. A name assigned in a branch or loop keeps its
    name (the tape saves its old values); elsewhere each assignment gets a new SSA name. The
    values are normalized through ``lower``; ``outputs`` names a call's several outputs and
    ``lifting`` binds a container."""

    def __init__(self, state: NormalizeState, lower: Lowering, outputs: SeveralOutputs,
                 lifting: Lifting) -> None:  # fmt: skip
        self.state = state
        self.lower = lower
        self.outputs = outputs
        self.lifting = lifting

    def assign(self, targets: list[gast.expr], value: gast.expr) -> None:
        st = self.state
        first, rest = targets[0], targets[1:]
        if isinstance(first, gast.Name):
            self.assign_name(first.id, value)
        elif isinstance(first, (gast.Tuple, gast.List)):
            names = [e for e in first.elts]
            if not all(isinstance(e, gast.Name) for e in names):
                raise UnsupportedSyntaxError(
                    "nested or starred unpacking is not supported",
                    st.primal.where(first),
                    "unpack one level at a time into plain names",
                )
            resolved = False  # the items are atoms already (SSA names), not to look up again
            sliced = self.outputs.literal_slice(value)
            if sliced is not None:  # a, b = t[1:] or (x, y, z)[::2]
                value, resolved = sliced, True
            elif isinstance(value, gast.Name) and st.env.get(value.id) in st.literals:
                value, resolved = st.literals[st.env[value.id]], True  # a, b = t
            elif isinstance(value, gast.Name) and st.env.get(value.id) in st.multi:
                outputs = st.multi[st.env[value.id]][0]  # a, b = r of r = helper(x)
                if len(outputs) != len(names):
                    raise UnsupportedSyntaxError(
                        f"{len(names)} names for {len(outputs)} outputs",
                        st.primal.where(first),
                        f"unpack exactly {len(outputs)} names",
                    )
                value = gast.Tuple(elts=[name_node(n) for n in outputs], ctx=gast.Load())
                resolved = True
            if (
                isinstance(value, (gast.Tuple, gast.List))
                and len(value.elts) != len(names)
                and not any(isinstance(e, gast.Starred) for e in value.elts)
            ):  # Python's ValueError, said where the code is generated
                raise UnsupportedSyntaxError(
                    f"{len(names)} names for a tuple of {len(value.elts)} items",
                    st.primal.where(first),
                    f"unpack exactly {len(value.elts)} names",
                )
            if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(names):
                # evaluate the whole right side first
                atoms = [copy_tree(v) if resolved else self.lower.atom(v) for v in value.elts]
                rebound = {st.env.get(t.id, t.id) for t in names} & st.carried
                for k, atom in enumerate(atoms):  # x, y = y, x in a loop: names are not SSA,
                    if set(atom_names(atom)) & rebound:  # so read the old values first
                        held = st.temp(f"{atom_names(atom)[0]}_old")
                        st.body.append(Stmt((held,), atom, COPY, [atom], node=st.node))
                        atoms[k] = name_node(held)
                for target, atom in zip(names, atoms):
                    self.bind_atom(target.id, atom)  # a, b = b, a: atoms are already resolved
            elif self.unpack_items([t.id for t in names], value):
                pass  # a, b = t[0] of t = helper(x): a = t[0][0], b = t[0][1]
            else:
                outputs = self.outputs.outputs_of(value)
                if outputs is not None and len(outputs) != len(names):
                    raise UnsupportedSyntaxError(
                        f"{len(names)} names for {len(outputs)} outputs",
                        st.primal.where(first),
                        f"unpack exactly {len(outputs)} names: {', '.join(outputs)}",
                    )
                stmt = self.lower.primitive(value)
                reads = {n for a in [*stmt.args, *stmt.kwargs.values()] for n in atom_names(a)}
                bound = tuple(st.bind(t.id) for t in names)
                stmt.unpack, stmt.node = True, st.node
                if not reads & set(bound):
                    stmt.targets = bound
                    st.body.append(stmt)
                    return self.chained(first, rest)
                # h, c = cell(h, c, x) in a loop: the outputs go to new names first, so the
                # adjoint reads the outputs' cotangents before the inputs' are added
                stmt.targets = tuple(st.temp(f"{b}_new") for b in bound)
                st.body.append(stmt)
                for target, temp in zip(bound, stmt.targets, strict=True):
                    copied = Stmt((target,), name_node(temp), COPY, [name_node(temp)])
                    copied.node = st.node
                    st.body.append(copied)
        self.chained(first, rest)

    def unpack_items(self, targets: list[str], value: gast.expr) -> bool:
        """``a, b = v`` of a local name or an item (``t[0]``), which s2s cannot take apart
        by outputs or literal items (a tuple inside the tuple a helper returned, an array's
        rows): ``_s2s.check_unpacking(v, 2)`` (Python's ``ValueError`` for another length),
        then ``a = v[0]``, ``b = v[1]``, each an item read that every mode differentiates.
        ``False`` (nothing emitted) for any other value."""
        st = self.state
        local = isinstance(value, gast.Name) and value.id in st.env
        if not (local or isinstance(value, gast.Subscript)) or self.outputs.outputs_of(value):
            return False
        atom = self.lower.atom(value)
        if isinstance(atom, gast.Tuple) and len(atom.elts) == len(targets):  # a literal's
            for target, item in zip(targets, atom.elts):
                self.bind_atom(target, item)
            return True
        if not isinstance(atom, gast.Name) or _iterator(st.body, atom.id):
            return False  # (z = zip(xs, ys); a, b = z: unpacked as Python does, no gradient)
        if atom.id in {st.env.get(t, t) for t in targets} & st.carried:  # a, b = a in a loop
            held = st.temp(f"{atom.id}_old")
            st.body.append(Stmt((held,), atom, COPY, [atom], node=st.node))
            atom = name_node(held)
        where = st.primal.where(st.node)
        numbers = [len(targets), where.filename, where.lineno]
        check = gast.Call(
            func=attr_chain("_s2s.check_unpacking"),
            args=[atom] + [gast.Constant(v, None) for v in numbers],
            keywords=[],
        )
        st.body.append(Stmt((), check, runtime.check_unpacking, [atom], node=st.node))
        for k, target in enumerate(targets):
            source, key = copy_tree(atom), gast.Constant(k, None)  # the operands themselves
            item = gast.Subscript(value=source, slice=key, ctx=gast.Load())  # in the args
            stmt = Stmt((st.bind(target),), item, operator.getitem, [source, key])
            stmt.node = st.node
            st.body.append(stmt)
        return True

    def chained(self, first: gast.expr, rest: list[gast.expr]) -> None:
        """``a = b = value``: the later targets copy the first."""
        for extra in rest:
            source = name_node(self.state.env[first.id]) if isinstance(first, gast.Name) else None
            if source is None or not isinstance(extra, gast.Name):
                raise UnsupportedSyntaxError(
                    "chained assignment to unpacking targets is not supported",
                    self.state.primal.where(extra),
                    "use separate assignments",
                )
            self.assign_name(extra.id, source)

    def bind_atom(self, user_name: str, atom: gast.expr) -> None:
        """``user_name = atom`` where ``atom`` was resolved before any of the assignments of
        the same statement (its names are SSA names already, not to be looked up again)."""
        if isinstance(atom, gast.Tuple) and user_name not in self.state.carried:
            # (a, b), c = (x, y), z: `a, b` unpack the literal's items, as of `t = (x, y)`
            items = [self.lifting.held(e) for e in atom.elts]
            literal = gast.Tuple(elts=items, ctx=gast.Load())
            self.state.literals[self.state.bind(user_name)] = literal
            return
        if isinstance(atom, gast.Name) and atom.id in self.state.original:
            stmt = Stmt((), atom, COPY, [atom])
        else:
            stmt = self.lower.primitive(atom)
        stmt.targets = (self.state.bind(user_name),)
        stmt.node = self.state.node
        self.state.body.append(stmt)

    def assign_name(self, user_name: str, value: gast.expr) -> None:
        st = self.state
        if self.lifting.bind_container(user_name, value):
            return
        if (
            isinstance(value, gast.Name)
            and value.id in st.env
            and st.env[value.id] not in st.multi
            and user_name not in st.rebound
            and value.id not in st.rebound
        ):
            # b = a: a second name for the same object, as in Python, so a write through
            # either name is seen through both (no copy, no new SSA name)
            st.env[user_name] = st.env[value.id]
            return
        outputs = self.outputs.outputs_of(value)
        if outputs is None:  # r = helper(x) read only as r[0], r[1] (the reads looked at last:
            # a walk of the whole function, for each assignment of a call of a tuple helper)
            outputs = self.outputs.user_outputs(value)
            if outputs is not None and not self.outputs.only_items_used(user_name):
                outputs = None
        if outputs is not None:
            names = self.outputs.unpack_call(value, user_name, outputs)
            ssa = st.bind(user_name)
            st.multi[ssa] = (names, outputs)
            return
        stmt = self.lower.primitive(value)
        if user_name in st.carried and user_name in _reads(stmt):
            # x = f(x) in a loop: compute into a temporary first, so that the adjoint of the
            # new x and the adjoint of the old x are two buffers
            temp = st.temp(base_name(value))
            stmt.targets, stmt.node = (temp,), st.node
            st.body.append(stmt)
            stmt = Stmt((), name_node(temp), COPY, [name_node(temp)])
        stmt.targets = (st.bind(user_name),)
        stmt.node = st.node
        st.body.append(stmt)

    def named_list(self, value: gast.expr) -> gast.expr:
        """A returned list literal bound to a temporary first (``return [a, b]`` as ``out =
        [a, b]; return out``): a list value, whose items are seeded and whose tangent is a
        list. The bare literal was not (zero gradients, a summed tangent)."""
        if not isinstance(value, gast.List):
            return value
        out = gast.Name(self.state.temp("result"), gast.Store(), None, None)
        self.assign([out], value)
        return gast.Name(out.id, gast.Load(), None, None)

    def augassign(self, stmt: gast.AugAssign) -> None:
        st = self.state
        target = stmt.target
        if not isinstance(target, gast.Name):  # pragma: no cover - fenced
            raise UnsupportedSyntaxError("augmented assignment target", st.primal.where(stmt))
        if target.id not in st.env:
            raise UnsupportedSyntaxError(
                f"`{target.id}` is updated with `{type(stmt.op).__name__}=` before it is assigned",
                st.primal.where(stmt),
                "assign a local value first",
            )
        old = st.env[target.id]
        others = sorted(u for u, ssa in st.env.items() if ssa == old and u != target.id)
        if others:  # b = a; b += v: on an array both names would change
            raise MutationError(
                f"`{target.id}` is a second name for `{others[0]}`, so updating it in place "
                f"would change `{others[0]}` too; that is not supported",
                st.primal.where(stmt),
                f"write `{target.id}[...] {operator_text(stmt.op)}= ...` to update the array both "
                f"names hold (a write through a second name), `{target.id} = {target.id} "
                f"{operator_text(stmt.op)} ...` for a new value, or take a copy where the second "
                "name is made",
            )
        update = gast.BinOp(left=target, op=stmt.op, right=stmt.value)
        combined = st.temp(base_name(update))
        self.lower.emit_assign((combined,), update)
        args = [name_node(combined), name_node(old)]
        call = gast.Call(func=attr_chain("_s2s.augmented"), args=args, keywords=[])
        args = [name_node(combined), name_node(old)]
        if target.id in st.carried:  # x += y in a loop: through a temporary, as x = f(x)
            temp = st.temp("augmented")
            st.body.append(Stmt((temp,), call, runtime.augmented, args, node=stmt, aug_of=old))
            copy_stmt = Stmt((), name_node(temp), COPY, [name_node(temp)], node=stmt)
            copy_stmt.targets = (st.bind(target.id),)
            st.body.append(copy_stmt)
            return
        new = st.bind(target.id)
        st.body.append(Stmt((new,), call, runtime.augmented, args, node=stmt, aug_of=old))


def _reads(stmt: Stmt) -> set[str]:
    return {
        n.id
        for a in stmt.args + list(stmt.kwargs.values())
        for n in walk(a)
        if isinstance(n, gast.Name)
    } | set(loaded_names(stmt.expr))


def operator_text(op: gast.operator) -> str:
    symbols = {gast.Add: "+", gast.Mult: "*", gast.Sub: "-", gast.Div: "/", gast.Pow: "**"}
    return symbols.get(type(op), type(op).__name__)


def loaded_names(node: gast.AST) -> list[str]:
    return [
        n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
    ]


_ITERATORS = (zip, map, filter, iter, reversed, enumerate)


def _iterator(body: list, name: str) -> bool:
    """Whether ``name`` was last bound, at this level of ``body``, to a call of a builtin
    that makes an iterator (``zip``, ``map``, ...), which has no items by position."""
    made = next((s for s in reversed(body) if isinstance(s, Stmt) and name in s.targets), None)
    return made is not None and any(made.op is f for f in _ITERATORS)
