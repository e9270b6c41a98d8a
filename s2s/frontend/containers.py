"""Containers: a parameter container argument becomes one parameter per leaf, and every read of
it (``params["w1"]``, ``p.w``, ``layers[0]``, loops over ``.items()``) a read of those names.

The structure is known when the derivative is specialized (it is part of the cache key), so
each key, field and position is a constant: reads resolve statically, loops over a container
are unrolled, and ``len(params)`` is a number. Everything later sees plain arrays.

>>> import gast
>>> from s2s.runtime.trees import flatten
>>> tree = gast.parse("def f(p, x):\\n    w = p['w']\\n    return np.sum(w * x) + p['b']\\n")
>>> treedef = flatten({"w": 1.0, "b": 2.0})[1]
>>> _ = lower(tree.body[0], {"p": (treedef, leaf_names("p", treedef, set()))}, lambda n: None)
>>> import astor
>>> print(astor.to_source(gast.gast_to_ast(tree)).strip())
def f(p_w, p_b, x):
    w = p_w
    return np.sum(w * x) + p_b
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast

from s2s.codegen.walking import copy_tree, walk
from s2s.errors import MutationError, UnsupportedSyntaxError
from s2s.frontend.derivcalls import DerivativeCalls
from s2s.frontend.keys import computed_key, known_condition
from s2s.frontend.leafnames import leaf_names  # noqa: F401  (the example above)
from s2s.frontend.loopitems import enumerate_parts, located, statement_targets
from s2s.frontend.methods import Methods
from s2s.runtime.trees import DATACLASS, DICT, LEAF, LIST, NAMEDTUPLE, TUPLE, TreeDef, flatten

_WHOLE = (DICT, DATACLASS, NAMEDTUPLE)  # what a helper of this module may be given whole
_METHODS = ("items", "values", "keys")


class _Node:
    """A container (or leaf) of an argument during lowering: its structure and leaf names."""

    def __init__(self, treedef: TreeDef, names: list[str], label: str) -> None:
        self.treedef, self.names, self.label = treedef, names, label

    def child(self, key: Any) -> _Node | None:
        t = self.treedef
        if t.kind == NAMEDTUPLE and type(key) is int and 0 <= key < len(t.keys):
            key = t.keys[key]  # p[1] of a NamedTuple: its second field
        start = 0
        for k, c in zip(t.keys, t.children):
            if k == key and type(k) is type(key):
                return _Node(c, self.names[start : start + c.num_leaves], f"{self.label}[{k!r}]")
            start += c.num_leaves
        return None

    def items(self) -> list[tuple[Any, _Node]]:
        return [(k, self.child(k)) for k in self.treedef.keys]  # type: ignore[misc]


def lower(
    tree: gast.FunctionDef,
    containers: dict[str, tuple[TreeDef, list[str]]],
    where: Callable[[Any], Any],
    func: Any = None,
    values: dict[str, Any] | None = None,
    bound: list[Any] | None = None,
    floats: dict[str, bool] | None = None,
) -> list[Any]:
    """Rewrite ``tree`` in place: each parameter in ``containers`` (its structure and its
    leaves' names, from :func:`leaf_names`) becomes its leaves' parameters. Returns the call
    targets of functions written out because they receive a container whole (one passed in,
    from ``values``, goes to ``bound``: the derivative keys on it). ``floats``: which
    parameters hold real floats (:mod:`s2s.frontend.derivcalls`).

    Raises:
        UnsupportedSyntaxError: a container used in a way that has no static meaning (an index
            that is not a constant or a loop variable over it, a dict passed whole).
        MutationError: an assignment into a container argument.
    """
    env: dict[str, Any] = {}
    args: list[gast.expr] = []
    for arg in tree.args.args:
        if isinstance(arg, gast.Name) and arg.id in containers:
            treedef, leaves = containers[arg.id]
            env[arg.id] = _Node(treedef, leaves, arg.id)
            args += [gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None)
                     for n in leaves]  # fmt: skip
        else:
            args.append(arg)
    tree.args.args = args
    taken = {n.id for n in walk(tree) if isinstance(n, gast.Name)}
    assigned = _assigned(tree)
    passed = {n: v for n, v in (values or {}).items() if n not in env and not assigned.get(n)}
    lowering = _Lowering(where, assigned, func, taken, Methods(func, taken, passed))
    lowering.calls = DerivativeCalls(tree, func, floats, _Node, passed)
    lowering.block(tree.body, env)
    tree.body[:0] = lowering.methods.defs  # methods of a container called on it, as nested defs
    if bound is not None:
        bound += lowering.methods.bound + lowering.calls.bound
    return lowering.methods.targets


def lower_local(
    tree: gast.FunctionDef, name: str, keys: list[Any], names: list[str], where: Callable
) -> None:
    """Rewrite the reads of a local dict whose entries became the names ``names`` (one per
    key, in insertion order; :mod:`s2s.frontend.dicts`) as reads of those names: ``d[k]``,
    loops over ``d.items()``, ``len(d)``."""
    treedef = flatten({key: 0.0 for key in keys})[1]
    _Lowering(where, _assigned(tree)).block(tree.body, {name: _Node(treedef, names, name)})


def _assigned(tree: gast.AST) -> dict[str, int]:
    """How many times each name is bound (assignment and loop targets)."""
    counts: dict[str, int] = {}
    for node in walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


class _Lowering:
    def __init__(
        self, where: Callable[[Any], Any], assigned: dict[str, int], func: Any = None,
        taken: set[str] | None = None, methods: Any = None,
    ) -> None:  # fmt: skip
        self.where, self.assigned = where, assigned
        self.methods = methods or Methods(func, taken or set())
        self.generated = getattr(func, "__s2s_generated__", False)  # a derivative's own code
        self.calls: DerivativeCalls | None = None  # s2s.grad(f)(params): leaf by leaf

    # -- statements ----------------------------------------------------------------------
    def block(self, body: list[gast.stmt], env: dict[str, Any]) -> None:
        out: list[gast.stmt] = []
        for stmt in body:  # (a derivative call given a container whole: leaf by leaf first)
            out += (self.calls.hoist(self, stmt, env) if self.calls else []) + self.stmt(stmt, env)
            if out and getattr(out[-1], "s2s_taken_return", False):
                break  # the arm taken returned: what follows it never runs
        body[:] = out or [gast.Pass()]

    def stmt(self, stmt: gast.stmt, env: dict[str, Any]) -> list[gast.stmt]:
        if isinstance(stmt, gast.For):
            items = self.iteration(stmt.iter, env)
            if items is not None:
                return self.unroll(stmt, items, env)
            count = self.range_indexing(stmt, env)
            if count is not None:  # for i in range(2): params[f"w{i}"]: i is a constant
                last = gast.Assign(targets=[copy_tree(stmt.target)],
                                   value=gast.Constant(count[-1], None), type_comment=None)
                unrolled = self.unroll(stmt, [_Const(i) for i in count], env)
                return unrolled + [located(last, stmt)] if count and not stmt.orelse else unrolled
        if isinstance(stmt, gast.If):  # `if len(args) == 4:` known now: only the arm it takes
            known = known_condition(stmt.test, lambda n: self.static(n, env))
            if known is not None:
                arm = stmt.body if known else stmt.orelse
                self.block(arm, env)
                if arm and isinstance(arm[-1], gast.Return):
                    arm[-1].s2s_taken_return = True
                return arm
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
            value = self.resolve(stmt.value, env)
            if isinstance(value, _Node) and value.treedef.kind != LEAF:
                return self.bind(stmt.targets[0], value, env, stmt)
            items = self.iteration(stmt.value, env) if isinstance(stmt.value, gast.Call) else None
            if items is not None and isinstance(stmt.targets[0], (gast.Tuple, gast.List)):
                return self.unpack(stmt.targets[0], items, env, stmt)
        for target in statement_targets(stmt):
            self.check_store(target, env)
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(stmt, field, None), list) and field != "handlers":
                self.block(getattr(stmt, field), env)
        for name, value in gast.iter_fields(stmt):
            if name in ("body", "orelse", "finalbody", "targets", "target"):
                continue
            if isinstance(value, gast.expr):
                setattr(stmt, name, self.expr(value, env))
        if isinstance(stmt, gast.AugAssign):
            stmt.target = (
                self.expr(stmt.target, env)
                if isinstance(stmt.target, gast.Subscript)
                else stmt.target
            )
        if isinstance(stmt, gast.Assign):
            stmt.targets = [self.expr(t, env) if not isinstance(t, gast.Name) else t
                            for t in stmt.targets]  # fmt: skip
        return [stmt]

    def check_store(self, target: gast.expr, env: dict[str, Any]) -> None:
        for node in walk(target):
            if isinstance(node, gast.Name) and node.id in env and isinstance(node.ctx, gast.Store):
                if self.assigned.get(node.id, 0) and isinstance(env[node.id], _Node):
                    raise UnsupportedSyntaxError(
                        f"`{node.id}` holds a parameter container and is assigned here",
                        self.where(node),
                        "give the new value another name",
                    )
            if isinstance(node, (gast.Subscript, gast.Attribute)) and isinstance(
                node.ctx, gast.Store
            ):
                base = self.resolve(node.value, env)
                if isinstance(base, _Node):
                    raise MutationError(
                        f"assignment into the parameter container `{base.label}`: the "
                        "derivative would have to change the caller's container",
                        self.where(node),
                        "build a new value under a new name (`w = params['w'] + 1`) and use it",
                    )

    def bind(self, target: gast.expr, value: _Node, env: dict, stmt: gast.stmt) -> list:
        """``layer = params['layer1']``: the name stands for the container from here on;
        ``(w1, b1), (w2, b2) = layers``: one assignment per leaf."""
        if isinstance(target, gast.Name):
            if self.assigned.get(target.id, 0) > 1 and self.generated and (
                value.treedef.kind in (LIST, TUPLE)):  # `d_y = cotangent`, released later
                return [located(gast.Assign(targets=[target], value=self.value(value, stmt),
                                             type_comment=None), stmt)]  # fmt: skip
            if self.assigned.get(target.id, 0) > 1:
                raise UnsupportedSyntaxError(
                    f"`{target.id}` is bound to the parameter container `{value.label}` here and "
                    "assigned elsewhere too",
                    self.where(stmt),
                    f"read from `{value.label}` directly, or use a name bound once",
                )
            env[target.id] = value
            return []
        if isinstance(target, (gast.Tuple, gast.List)):
            return self.unpack(target, value.items(), env, stmt)
        raise UnsupportedSyntaxError(
            f"the parameter container `{value.label}` is assigned into a subscript or attribute",
            self.where(stmt),
            "read its arrays by key and assign those",
        )

    def unpack(self, target: gast.expr, items: list, env: dict, stmt: gast.stmt) -> list:
        elts = list(target.elts)
        star = [i for i, e in enumerate(elts) if isinstance(e, gast.Starred)]
        if (len(star) == 1 and isinstance(elts[star[0]].value, gast.Name)
                and len(elts) - 1 <= len(items)
                and all(isinstance(v, _Node) for _, v in items)):  # first, *rest = layers
            end = len(items) - (len(elts) - star[0] - 1)
            rest = _sequence([v for _, v in items[star[0]:end]], elts[star[0]].value.id, True)
            items = items[: star[0]] + [(None, rest)] + items[end:]
            elts[star[0]] = elts[star[0]].value
        if any(isinstance(e, gast.Starred) for e in elts) or len(elts) != len(items):
            raise UnsupportedSyntaxError(
                f"unpacking {len(items)} items of a parameter container into {len(elts)} names",
                self.where(stmt),
                "unpack exactly as many names as the container holds, without `*`",
            )
        out: list[gast.stmt] = []
        for elt, (_, item) in zip(elts, items):
            if isinstance(item, _Node) and item.treedef.kind != LEAF:
                out += self.bind(elt, item, env, stmt)
            else:
                value = self.value(item, stmt)
                out.append(located(gast.Assign(targets=[elt], value=value, type_comment=None),
                                    stmt))  # fmt: skip
        return out

    def range_indexing(self, loop: gast.For, env: dict) -> range | None:
        """The numbers of ``for i in range(...)`` with constant bounds (at most 64 of them)
        whose body indexes a parameter container with a key made from ``i``
        (``params[f"w{i}"]``, ``layers[i + 1]``), else ``None``."""
        it = loop.iter
        if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name)
                and it.func.id == "range" and 1 <= len(it.args) <= 3 and not it.keywords
                and isinstance(loop.target, gast.Name)):  # fmt: skip
            return None
        bounds = [self.static(a, env) for a in it.args]
        if not all(type(b) is int for b in bounds) or len(range(*bounds)) > 64:
            return None
        name = loop.target.id
        for node in (n for stmt in loop.body for n in walk(stmt)):
            if isinstance(node, gast.Subscript) and any(
                isinstance(n, gast.Name) and n.id == name for n in walk(node.slice)
            ):
                try:
                    base = self.resolve(node.value, env)
                except UnsupportedSyntaxError:
                    continue
                if isinstance(base, _Node) and base.treedef.kind != LEAF:
                    return range(*bounds)
        return None

    def unroll(self, loop: gast.For, items: list, env: dict) -> list[gast.stmt]:
        """A loop over a container: its body once per item, the loop variables constants or
        the items' names."""
        for node in walk(loop):
            if isinstance(node, (gast.Break, gast.Continue)):
                raise UnsupportedSyntaxError(
                    "`break` or `continue` in a loop over a parameter container",
                    self.where(node),
                    "loop over every item; skip one with an `if` around the body",
                )
        out: list[gast.stmt] = []
        for item in items:
            inner = dict(env)
            self.bind_target(loop.target, item, inner, loop)
            body = copy_tree(loop.body)
            self.block(body, inner)
            out += [s for s in body if not isinstance(s, gast.Pass)]
        orelse = copy_tree(loop.orelse)
        if orelse:
            self.block(orelse, env)
            out += orelse
        return out

    def bind_target(self, target: gast.expr, item: Any, env: dict, node: gast.AST) -> None:
        if isinstance(target, gast.Name):
            body = node.body if isinstance(node, gast.For) else [node.elt]
            if any(_assigned(b).get(target.id) for b in body):
                raise UnsupportedSyntaxError(
                    f"the loop variable `{target.id}` of a loop over a parameter container is "
                    "assigned in the loop",
                    self.where(node),
                    "give the other value another name",
                )
            env[target.id] = item
            return
        if isinstance(target, (gast.Tuple, gast.List)):
            if isinstance(item, _Node) and item.treedef.kind not in (LEAF, DICT, DATACLASS):
                parts = [v for _, v in item.items()]
            elif isinstance(item, (tuple, list)):
                parts = list(item)
            else:
                raise UnsupportedSyntaxError(
                    "unpacking an item of a parameter container that is not a tuple or list",
                    self.where(node),
                    "bind the item to one name and read from it",
                )
            if len(parts) != len(target.elts):
                raise UnsupportedSyntaxError(
                    f"unpacking {len(parts)} values into {len(target.elts)} names",
                    self.where(node),
                    "unpack exactly as many names as each item holds",
                )
            for elt, part in zip(target.elts, parts):
                self.bind_target(elt, part, env, node)
            return
        raise UnsupportedSyntaxError(
            "a loop over a parameter container must bind plain names",
            self.where(node),
            "write `for k, v in params.items():`",
        )

    # -- expressions ---------------------------------------------------------------------
    def iteration(self, node: gast.expr, env: dict) -> list | None:
        """The items a loop over ``node`` visits, if it is a loop over a container: keys are
        ``_Const``, values ``_Node``; ``None`` for any other loop."""
        if (
            isinstance(node, gast.Call)
            and isinstance(node.func, gast.Attribute)
            and (node.func.attr in _METHODS and not node.args and not node.keywords)
        ):
            base = self.resolve(node.func.value, env)
            if isinstance(base, _Node) and base.treedef.kind == DICT:
                pairs = base.items()
                if node.func.attr == "items":
                    return [(_Const(k), v) for k, v in pairs]
                return [v for _, v in pairs] if node.func.attr == "values" else [
                    _Const(k) for k, _ in pairs]  # fmt: skip
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.args:
            fname = node.func.id
            parts = enumerate_parts(node) if fname == "enumerate" else None
            if parts is not None:  # the count from a start known at specialization
                inner = self.iteration(parts[0], env)
                first = 0 if parts[1] is None else self.static(parts[1], env)
                if inner is None or type(first) is not int:
                    return None
                return [(_Const(i), v) for i, v in enumerate(inner, first)]
            if fname == "zip" and not node.keywords:
                parts = [self.iteration(a, env) for a in node.args]
                if all(p is not None for p in parts):
                    return [tuple(t) for t in zip(*parts)]  # type: ignore[misc]
                return None
            if fname == "range" and len(node.args) == 1:
                n = self.static(node.args[0], env)
                if isinstance(n, int) and _is_len_of_container(node.args[0], self, env):
                    return [_Const(i) for i in range(n)]
            if fname == "reversed" and len(node.args) == 1:
                inner = self.iteration(node.args[0], env)
                return None if inner is None else inner[::-1]
        base = self.resolve(node, env)
        if isinstance(base, _Node) and base.treedef.kind not in (LEAF, DATACLASS):
            pairs = base.items()
            return [_Const(k) for k, _ in pairs] if base.treedef.kind == DICT else [
                v for _, v in pairs]  # fmt: skip
        return None

    def static(self, node: gast.expr, env: dict) -> Any:
        """A constant the expression is known to be at specialization (``None`` if not)."""
        if isinstance(node, gast.Constant):
            return node.value
        if isinstance(node, gast.Name) and isinstance(env.get(node.id), _Const):
            return env[node.id].value
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            v = self.static(node.operand, env)
            return -v if isinstance(v, int) else None
        if _is_len_of_container(node, self, env):
            return len(self.resolve(node.args[0], env).treedef.keys)
        return computed_key(node, lambda n: self.static(n, env))

    def resolve(self, node: gast.expr, env: dict) -> Any:
        """The container, leaf or constant ``node`` reads, or ``None``."""
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            return env.get(node.id)
        if isinstance(node, gast.Subscript):
            base = self.resolve(node.value, env)
            if not isinstance(base, _Node) or base.treedef.kind == LEAF:
                return None
            if isinstance(node.slice, gast.Slice):
                return self.sliced(base, node, env)
            key = self.static(node.slice, env)
            if isinstance(key, int) and base.treedef.kind not in (DICT,) and key < 0:
                key += len(base.treedef.keys)
            child = base.child(key) if key is not None else None
            if child is None:
                raise UnsupportedSyntaxError(
                    f"`{base.label}` is read with "
                    + (
                        f"the key {key!r}, which it does not hold"
                        if key is not None
                        else "an index known only at run time"
                    ),
                    self.where(node),
                    "index a parameter container with a constant, or loop over it "
                    "(`for k, v in params.items()`, `for i in range(len(layers))`)",
                )
            return child
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value, env)
            if isinstance(base, _Node) and base.treedef.kind in (DATACLASS, NAMEDTUPLE):
                child = base.child(node.attr)
                if child is not None:
                    return child
            return None
        return None

    def sliced(self, base: _Node, node: gast.Subscript, env: dict) -> Any:
        s = node.slice
        bounds = [None if b is None else self.static(b, env) for b in (s.lower, s.upper, s.step)]
        if any(b is None and e is not None for b, e in zip(bounds, (s.lower, s.upper, s.step))):
            raise UnsupportedSyntaxError(
                f"`{base.label}` is sliced with bounds known only at run time",
                self.where(node),
                "slice a parameter container with constants",
            )
        parts = [v for _, v in base.items()][slice(*bounds)]
        text = ":".join("" if b is None else str(b) for b in bounds[:2 if bounds[2] is None else 3])
        return _sequence(parts, f"{base.label}[{text}]", base.treedef.kind == LIST)

    def value(self, item: Any, at: gast.AST) -> gast.expr:
        """The expression standing for a resolved read."""
        if isinstance(item, _Const):
            return located(gast.Constant(value=item.value, kind=None), at)
        if isinstance(item, (list, tuple)):
            return located(gast.Tuple(elts=[self.value(v, at) for v in item], ctx=gast.Load()),
                            at)  # fmt: skip
        if item.treedef.kind == LEAF:
            return located(gast.Name(id=item.names[0], ctx=gast.Load(), annotation=None,
                                      type_comment=None), at)  # fmt: skip
        if item.treedef.kind in (DICT, DATACLASS):
            raise UnsupportedSyntaxError(
                f"the parameter container `{item.label}` is used whole here; s2s reads a dict "
                "or dataclass argument through its keys and fields, and passes it whole only "
                "to a plain function defined in this function's module (called by its name, "
                "as a method of a global object, or passed in as an argument)",
                self.where(at),
                "read the arrays you need (`params['w']`, `p.w`) and pass those, or define "
                "the function that takes the container in this module (a derivative object "
                "it goes to whole must be known when s2s generates: `s2s.grad(f)(p)`)",
            )
        return self.value([v for _, v in item.items()], at)

    def expr(self, node: gast.expr, env: dict) -> gast.expr:
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
            base = self.resolve(node.func.value, env)
            if (isinstance(base, _Node) and base.treedef.kind == DICT and node.func.attr == "get"
                    and 1 <= len(node.args) <= 2 and not node.keywords):  # fmt: skip
                key = self.static(node.args[0], env)  # params.get("l2", 0.0): known now
                if key is not None and base.child(key) is not None:
                    return self.value(base.child(key), node)
                if key is not None:
                    default = node.args[1] if len(node.args) == 2 else gast.Constant(None, None)
                    return self.expr(located(default, node), env)
            if (
                isinstance(base, _Node)
                and base.treedef.kind in (DATACLASS, NAMEDTUPLE)
                and base.child(node.func.attr) is None
            ):  # model.forward(x): the method written out as a nested def reading the leaves
                name = self.methods.inline(self, base, node.func.attr, node)
                node.func = located(gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                               type_comment=None), node.func)  # fmt: skip
        if isinstance(node, gast.Call) and isinstance(called := self.resolve(node.func, env),
                                                      _Node) and called.treedef.kind in (
                DATACLASS, NAMEDTUPLE):  # self.layer(x) of a field with __call__: its method
            name = self.methods.inline(self, called, "__call__", node)
            node.func = located(gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                           type_comment=None), node.func)  # fmt: skip
        if isinstance(node, gast.Call):  # helper(params, x): written out, reading the leaves
            self.methods.inline_call(self, node, lambda v: self.resolve(v, env), _WHOLE)
        item = self.resolve(node, env)
        if item is not None and (isinstance(node, (gast.Subscript, gast.Attribute)) or
                                 isinstance(node, gast.Name)):  # fmt: skip
            return self.value(item, node)
        if _is_len_of_container(node, self, env):
            return located(gast.Constant(value=self.static(node, env), kind=None), node)
        if (
            isinstance(node, gast.Call)
            and isinstance(node.func, gast.Name)
            and (node.func.id == "sum" and len(node.args) == 1 and not node.keywords)
        ):
            total = self.comprehension_sum(node.args[0], env)
            if total is not None:
                return total
        if isinstance(node, (gast.ListComp, gast.GeneratorExp)):
            elts = self.comprehension(node, env)
            if elts is not None:
                kind = gast.List if isinstance(node, gast.ListComp) else gast.Tuple
                return located(kind(elts=elts, ctx=gast.Load()), node)
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value, env)
            if isinstance(base, _Node) and base.treedef.kind != LEAF:
                raise UnsupportedSyntaxError(
                    f"`{base.label}.{node.attr}` is not a field s2s can read",
                    self.where(node),
                    "read keys and fields directly; loop with `for k, v in params.items()`",
                )
        for name, value in gast.iter_fields(node):
            if isinstance(value, (gast.expr, gast.Slice)):  # x[: len(v)]: a Slice is no expr
                setattr(node, name, self.expr(value, env))
            elif isinstance(value, list):  # a call's keywords too: `axis=f(np.ndim(p))`
                for v in value if name == "keywords" else ():
                    v.value = self.expr(v.value, env)
                setattr(node, name, [self.expr(v, env) if isinstance(v, gast.expr) else v
                                     for v in value])  # fmt: skip
        return node

    def comprehension(self, node: gast.expr, env: dict) -> list[gast.expr] | None:
        if len(node.generators) != 1:
            return None
        gen = node.generators[0]
        items = self.iteration(gen.iter, env)
        if items is None:
            return None
        out = []
        for item in items:
            inner = dict(env)
            self.bind_target(gen.target, item, inner, node)
            keep = [known_condition(c, lambda n, e=inner: self.static(n, e)) for c in gen.ifs]
            if None in keep:
                raise UnsupportedSyntaxError(
                    "a comprehension over a parameter container with an `if` s2s cannot "
                    "decide from the keys and positions (it writes the items it keeps out "
                    "when it specializes, knowing the keys, positions and the constants "
                    "written in the condition)",
                    self.where(node),
                    "test keys or positions only (`if k.startswith('w')`, `if i > 0`), or "
                    "write the items you want explicitly",
                )
            if all(keep):
                out.append(self.expr(copy_tree(node.elt), inner))
        return out

    def comprehension_sum(self, node: gast.expr, env: dict) -> gast.expr | None:
        """``sum(np.sum(w ** 2) for w in params.values())`` as ``a + b + ...``."""
        if not isinstance(node, (gast.ListComp, gast.GeneratorExp)):
            return None
        elts = self.comprehension(node, env)
        if not elts:
            return None
        total = elts[0]
        for e in elts[1:]:
            total = located(gast.BinOp(left=total, op=gast.Add(), right=e), node)
        return total


def _sequence(parts: list[_Node], label: str, is_list: bool) -> _Node:
    """The list (or tuple) of the containers or leaves ``parts`` as one container node: a
    slice ``layers[1:]``, or ``rest`` of ``first, *rest = layers``."""
    treedef = TreeDef(LIST if is_list else TUPLE, list if is_list else tuple,
                      tuple(range(len(parts))), tuple(p.treedef for p in parts))  # fmt: skip
    return _Node(treedef, [n for p in parts for n in p.names], label)


class _Const:
    """A key or position known at specialization."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _is_len_of_container(node: gast.expr, lowering: _Lowering, env: dict) -> bool:
    """``len(params)``, known now; not ``len(v)`` of a leaf (an array: its leaf's name)."""
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == "len" and len(node.args) == 1):  # fmt: skip
        return False
    base = lowering.resolve(node.args[0], env)
    return isinstance(base, _Node) and base.treedef.kind != LEAF
