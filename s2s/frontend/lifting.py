"""Lifting: nested ``def``s become functions of their captures; lists and tuples bound to names.

A component of :mod:`s2s.frontend.normalize`'s ``Normalizer``. A nested ``def`` is
lambda-lifted (Johnsson 1985, "Lambda lifting: transforming programs to recursive equations"):
the outer locals it reads become keyword-only parameters passed at every call, so their
gradients flow back through the call. A tuple bound once stands for its items wherever it is
used; a list literal is built by appends, so it is a list at run time.

Before: a nested ``def`` reads ``x`` from its closure and a list literal is built in place;
after, the capture is a keyword parameter and the list is built item by item:

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
>>> def lifted(x):
...     def scale(v):
...         return v * x
...     parts = [x, x * 2.0]
...     return scale(np.stack(parts))
>>> show(lifted)
def scale(v, *, x):
    return v * x
multiply_1 = x * 2.0
parts = []
parts.append(x)
parts.append(multiply_1)
stack_1 = _np.stack(parts)
scale_1 = scale(stack_1, x=x)
"""

from __future__ import annotations

import inspect

import gast

from s2s.codegen.ir import APPEND, COPY, DEF, OPAQUE, Stmt, is_literal
from s2s.codegen.walking import copy_tree, walk
from s2s.errors import MutationError, UnsupportedSyntaxError
from s2s.frontend.normstate import Lowering, NormalizeState
from s2s.frontend.outputs import SeveralOutputs
from s2s.frontend.spellings import name_node


class Lifting:
    """Nested defs and containers bound to names for :class:`s2s.frontend.normalize.Normalizer`
    (a container's items normalized through ``lower``; a constant slice of one read by
    ``outputs``)."""

    def __init__(self, state: NormalizeState, lower: Lowering, outputs: SeveralOutputs) -> None:
        self.state = state
        self.lower = lower
        self.outputs = outputs

    def nested_def(self, node: gast.FunctionDef) -> None:
        """A nested ``def``, lambda-lifted: the outer locals it reads become keyword-only
        parameters passed at each call, so their gradients flow through the call."""
        own = {a.id for a in node.args.args + node.args.posonlyargs + node.args.kwonlyargs}
        own |= {n.id for n in walk(node) if isinstance(n, gast.Name)
                and isinstance(n.ctx, (gast.Store, gast.Param))}  # fmt: skip
        reads = {n.id for n in walk(node) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, gast.Load)}  # fmt: skip
        captured = sorted((reads - own) & (set(self.state.env) | self.state.outer_locals))
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            local = [n.id for n in walk(default) if isinstance(n, gast.Name)
                     and n.id in set(self.state.env) | self.state.outer_locals]  # fmt: skip
            if local:
                raise UnsupportedSyntaxError(
                    f"a default argument of `{node.name}` reads `{local[0]}`, a value of this "
                    "function, at the time of the `def`; s2s does not differentiate through it",
                    self.state.primal.where(default),
                    f"pass `{local[0]}` at the call, or read it in the body of `{node.name}`",
                )
        for inner in walk(node):  # def g(z): a[1] = z[0], for an outer `a`
            target = inner.target if isinstance(inner, gast.AugAssign) else None
            targets = inner.targets if isinstance(inner, gast.Assign) else [target]
            for written in targets:
                if isinstance(written, gast.Subscript) and isinstance(written.value, gast.Name):
                    if written.value.id in captured:
                        raise MutationError(
                            f"`{node.name}` writes into `{written.value.id}`, a value of the "
                            "function around it; s2s does not follow that write",
                            self.state.primal.where(inner),
                            f"return the new value from `{node.name}` and assign it where "
                            f"`{written.value.id}` is made",
                        )
        lifted = copy_tree(node)
        # A nested def it calls (defined before it, in this function) is copied into its body,
        # so the lifted function defines what it calls; that def's captures become its own.
        siblings: list[str] = []
        pending = [v for v in captured if self.state.env.get(v) in self.state.lifted_defs]
        while pending:
            var = pending.pop(0)
            if var in siblings or var == node.name:
                continue
            siblings.append(var)
            _, more = self.state.lifted_defs[self.state.env[var]]
            pending += [v for v in more if self.state.env.get(v) in self.state.lifted_defs]
            captured = sorted((set(captured) | set(more)) - {var})
        captured = [v for v in captured if v not in siblings]
        ordered: list[str] = []  # what a def calls before it: each is lifted again, in order
        seen: set[str] = set()

        def visit(var: str) -> None:
            if var in seen:
                return
            seen.add(var)
            for dep in self.state.lifted_defs[self.state.env[var]][1]:
                if dep in siblings:
                    visit(dep)
            ordered.append(var)

        for var in siblings:
            visit(var)
        lifted.body[:0] = [copy_tree(self.state.lifted_defs[self.state.env[v]][0]) for v in ordered]
        for var in captured:
            lifted.args.kwonlyargs.append(
                gast.Name(id=var, ctx=gast.Param(), annotation=None, type_comment=None)
            )
            lifted.args.kw_defaults.append(None)
        for inner in walk(lifted):  # a recursive call passes the captures on
            if isinstance(inner, gast.Call) and isinstance(inner.func, gast.Name) and (
                inner.func.id == node.name
            ):
                given = {k.arg for k in inner.keywords}
                inner.keywords += [gast.keyword(arg=v, value=name_node(v))
                                   for v in captured if v not in given]  # fmt: skip
        function = self.state.bind(node.name)
        if function in self.state.lifted and self.state.lifted[function][0] != captured:
            raise UnsupportedSyntaxError(
                f"`{node.name}` is defined in two places that read different values of this "
                f"function ({', '.join(self.state.lifted[function][0]) or 'none'} and "
                f"{', '.join(captured) or 'none'}), and a call after them may reach either",
                self.state.primal.where(node),
                f"give each def its own name, or pass what `{node.name}` reads as arguments",
            )
        lifted.name = function
        params = _signature_of(node.args) + [
            inspect.Parameter(v, inspect.Parameter.KEYWORD_ONLY) for v in captured
        ]
        stmt = Stmt((function,), lifted, DEF, [], node=node)
        stmt.value_hint = inspect.Signature(params)
        self.state.lifted[function] = (captured, stmt.value_hint)
        self.state.lifted_defs[function] = (node, captured + siblings)
        self.state.body.append(stmt)

    def refuse_capturing_value(self, node: gast.Name) -> None:
        """Raise where a nested def that reads this function's locals is used as a value (an
        argument of ``np.piecewise``, ``np.apply_along_axis``): its captures are passed at
        the calls written here, never by a callee, so their gradients would be lost.

        Raises:
            UnsupportedSyntaxError: naming the captured locals, at the use.
        """
        captured = self.state.lifted.get(self.state.env[node.id], ((), None))[0]
        if captured:
            raise UnsupportedSyntaxError(
                f"`{node.id}` reads this function's local "
                f"{', '.join(f'`{c}`' for c in captured)}; s2s passes those at the calls "
                "written here, not when another function calls it, so it cannot be passed "
                "as a value",
                self.state.primal.where(node),
                f"call `{node.id}` here, or define it at module level taking those values as "
                "parameters (functools.partial may bind values that need no gradient)",
            )

    def append(self, call: gast.Call) -> None:
        """``xs.append(v)`` on a list the function makes: the list grows in place."""
        node = self.state.node  # the statement, taken before its parts are normalized
        xs = self.lower.load(call.func.value)
        item = self.lower.atom(call.args[0])
        call_expr = gast.Call(
            func=gast.Attribute(value=xs, attr="append", ctx=gast.Load()),
            args=[item],
            keywords=[],
        )
        self.state.body.append(Stmt((xs.id,), call_expr, APPEND, [xs, item], node=node))

    def bind_container(self, user_name: str, value: gast.expr) -> bool:
        """``t = (a, b)`` or ``xs = [a, b]`` (or a constant slice of one, ``t = (a, b, c)[1:]``):
        bound here (True), or not a container (False)."""
        sliced = self.outputs.literal_slice(value)  # its items are atoms already
        if sliced is not None and isinstance(getattr(value, "value", None), gast.List):
            sliced = gast.List(elts=sliced.elts, ctx=gast.Load())
        atom = (lambda e: e) if sliced is not None else self.lower.atom
        value = sliced if sliced is not None else value
        if isinstance(value, gast.Tuple) and user_name not in self.state.carried:
            # t = (a, b), bound once: t stands for the literal wherever it is used, so
            # np.stack(t), t[1], a, b = t and return t see the items (tuples never change)
            items = gast.Tuple(elts=[self.held(atom(e)) for e in value.elts], ctx=gast.Load())
            self.state.literals[self.state.bind(user_name)] = items
            return True
        if (
            isinstance(value, gast.List)
            and value.elts
            and (user_name in self.state.appended or not all(is_literal(e) for e in value.elts))
        ):
            # xs = [a, b] (appended to later or not): an empty list, then one append per item,
            # so the list is a list at run time and its cotangent one part per item
            items = [atom(e) for e in value.elts]
            empty = Stmt((), gast.List(elts=[], ctx=gast.Load()), OPAQUE, [], node=self.state.node)
            bound = self.state.bind(user_name)  # a second list under one name: its own SSA name
            empty.targets = (bound,)
            self.state.body.append(empty)
            xs = name_node(bound)
            for item in items:
                call_expr = gast.Call(func=gast.Attribute(value=xs, attr="append", ctx=gast.Load()),
                                      args=[item], keywords=[])  # fmt: skip
                appended = Stmt((bound,), call_expr, APPEND, [xs, item], node=self.state.node)
                self.state.body.append(appended)
            return True
        return False

    def held(self, item: gast.expr) -> gast.expr:
        """A tuple's item that names an object kept under one name and bound anew later
        (:meth:`NormalizeState.rebound_later`), bound to a name of its own first, so the tuple
        keeps the object it holds now."""
        st = self.state
        if not (isinstance(item, gast.Name) and st.rebound_later(item.id)):
            return item
        kept = st.temp(f"{item.id}_kept")
        kept_copy = Stmt((kept,), name_node(item.id), COPY, [name_node(item.id)], node=st.node)
        kept_copy.s2s_kept = True  # (see NormalizeState.keep_seconds)
        st.body.append(kept_copy)
        return name_node(kept)


def _signature_of(args: gast.arguments) -> list[inspect.Parameter]:
    """The parameters a ``def`` declares (a default stands as ``None``): positional ones, then
    keyword-only ones, such as the captures of a nested def s2s itself lifted (a derivative's
    generated code, read again for a derivative of a derivative)."""
    kinds = inspect.Parameter
    positional = args.posonlyargs + args.args
    optional = len(positional) - len(args.defaults)  # the rest have defaults
    params = [
        kinds(a.id, kinds.POSITIONAL_ONLY if a in args.posonlyargs else kinds.POSITIONAL_OR_KEYWORD,
              default=None if i >= optional else kinds.empty)
        for i, a in enumerate(positional)
    ]  # fmt: skip
    if args.vararg is not None:
        params.append(kinds(args.vararg.id, kinds.VAR_POSITIONAL))
    params += [
        kinds(a.id, kinds.KEYWORD_ONLY, default=kinds.empty if d is None else None)
        for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
    ]
    if args.kwarg is not None:
        params.append(kinds(args.kwarg.id, kinds.VAR_KEYWORD))
    return params
