"""Derivative calls given a container whole: ``s2s.grad(f)(params)`` inside a function being
differentiated, ``params`` a parameter container (or a dict literal of arrays), becomes a call
of the derivative's flat form over the container's leaves, and its result a container of names.

The container lowering (:mod:`s2s.frontend.containers`) turns every read of a container into a
read of its leaves; a derivative object given the container whole could not be differentiated
(the function being differentiated has only the leaves). Here, before its statement, such a
call is written as a call of ``_s2s.leaves_of(d, key)``, the derivative's flat form
(``s2s.argtrees.flat_derivative``: the form s2s makes for a call with containers), given the
leaves by keyword, its flat gradients unpacked into fresh names that the statement reads as a
container of the gradient's structure (``g['w']`` reads ``grad_f_p_w``):

    g = s2s.grad(f)(p)              grad_f_p_w, grad_f_p_b = _s2s.leaves_of(s2s.grad(f), 0)(
    np.sum(g['w'] ** 2)                 p_w=p_w, p_b=p_b)
                                    np.sum(grad_f_p_w ** 2)

That call is a call of a derivative object the analysis knows at generation
(``analysis/derivatives.py``), differentiated through its generated code like any (higher
order, DESIGN 10). ``grad`` and ``value_and_grad`` of a function, and ``jvp`` (whose tangent
of a container is given leaf by leaf too), are rewritten; a derivative of a derivative, or a
container given to a parameter the derivative does not differentiate, raises
``UnsupportedSyntaxError`` at the call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import gast

from s2s import runtime
from s2s.codegen.walking import walk
from s2s.errors import NoRuleError, UnsupportedSyntaxError, composite_refusal
from s2s.frontend.callkeys import Bound, callable_key
from s2s.frontend.loopitems import located
from s2s.frontend.resolve import Target, global_value, name_chain
from s2s.runtime.trees import (
    DATACLASS,
    DICT,
    LEAF,
    NAMEDTUPLE,
    TUPLE,
    TreeDef,
    flatten,
    is_differentiable_leaf,
    kind_of,
    unflatten,
)

_WHOLE = (DICT, DATACLASS, NAMEDTUPLE)
_MODES = ("grad", "value_and_grad", "jvp")
_STATEMENTS = (gast.Assign, gast.Expr, gast.Return, gast.AugAssign, gast.AnnAssign)


def _name(name: str, ctx: Any = None) -> gast.Name:
    return gast.Name(id=name, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


class DerivativeCalls:
    """The calls of derivative objects known at generation that are given a container whole,
    in one function (``tree``, of ``func``); ``floats`` says of each parameter whose type is
    known whether it holds real floating values (a leaf of another kind gets no gradient),
    ``make_node`` makes the container lowering's node (structure, leaf names, label);
    ``values``: the arguments not differentiated (a derivative object passed in)."""

    def __init__(
        self,
        tree: gast.FunctionDef,
        func: Any,
        floats: dict[str, bool] | None,
        make_node: Callable[[TreeDef, list[str], str], Any],
        values: dict[str, Any] | None = None,
    ) -> None:
        self.func, self.floats, self.make_node = func, floats or {}, make_node
        self.values = values or {}  # the arguments not differentiated: a derivative passed in
        self.bound: list[Bound] = []  # those called, for the derivative's cache key
        counts: dict[str, int] = {}
        values: dict[str, gast.expr] = {}
        for node in walk(tree):
            if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
                counts[node.id] = counts.get(node.id, 0) + 1
            if (
                isinstance(node, gast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], gast.Name)
            ):
                values[node.targets[0].id] = node.value
        self.once = {n: v for n, v in values.items() if counts.get(n) == 1}  # df = s2s.grad(f)
        self.local = set(counts)
        self.taken = {n.id for n in walk(tree) if isinstance(n, gast.Name)}

    def fresh(self, base: str) -> str:
        name, k = base, 2
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        return name

    # -- the rewrite ---------------------------------------------------------------------
    def hoist(self, lowering: Any, stmt: gast.stmt, env: dict) -> list[gast.stmt]:
        """The statements that go before ``stmt`` (lowered already), its derivative calls
        given a container whole replaced, in place, by names of containers in ``env``."""
        if not isinstance(stmt, _STATEMENTS) or getattr(stmt, "value", None) is None:
            return []
        out: list[gast.stmt] = []
        stmt.value = self.visit(lowering, stmt.value, env, out)
        return out

    def visit(self, lowering: Any, node: gast.expr, env: dict, out: list) -> gast.expr:
        if isinstance(
            node, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)
        ):
            return node
        for name, value in gast.iter_fields(node):
            if isinstance(value, gast.expr):
                setattr(node, name, self.visit(lowering, value, env, out))
            elif isinstance(value, list):
                for v in value:
                    if isinstance(v, gast.keyword):
                        v.value = self.visit(lowering, v.value, env, out)
                setattr(
                    node,
                    name,
                    [
                        self.visit(lowering, v, env, out) if isinstance(v, gast.expr) else v
                        for v in value
                    ],
                )
        if isinstance(node, gast.Call):
            return self.call(lowering, node, env, out) or node
        return node

    def call(self, lowering: Any, node: gast.Call, env: dict, out: list) -> gast.expr | None:
        """The name (or expression) standing for ``node``'s result, its call added to ``out``;
        ``None`` where ``node`` is not a derivative call given a container whole."""
        d = self.derivative(node.func)
        if d is not None and not _is_derivative(d):  # an hvp, hessian or jacobian object
            if any(
                _whole(lowering, a, env) for a in [*node.args, *(k.value for k in node.keywords)]
            ):
                message, advice = (
                    composite_refusal(None, d.kind)
                    if isinstance(d, _Composite)
                    else composite_refusal(d)
                )
                raise NoRuleError(
                    f"{message}; it is given a parameter container whole",
                    lowering.where(node),
                    advice,
                )
            return None
        if (
            d is None
            or any(isinstance(a, gast.Starred) for a in node.args)
            or any(k.arg is None for k in node.keywords)
        ):
            return None
        try:
            bound = inspect.signature(d).bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError:
            return None
        args = bound.arguments
        given = {
            n: s
            for n in d._wrt_names
            if n in args and (s := self.structure(lowering, args[n], env)) is not None
        }
        where = lowering.where(node)
        text = gast.unparse(node).strip()  # (the result's label in messages)
        wholes = [n for n in d._primal_signature.parameters
                  if n not in given and n in args and _whole(lowering, args[n], env)]  # fmt: skip
        if not given and not wholes:
            return None
        inner = d.primal
        if (
            d.mode not in _MODES
            or _is_derivative(inner)
            and not (
                d.mode == "jvp"
                and inner.mode == "grad"
                and not _is_derivative(inner.primal)
                and d._wrt_names == inner._wrt_names
            )
        ):
            raise UnsupportedSyntaxError(
                f"a parameter container is given whole to {d!r} (a {d.mode} of "
                f"{'a derivative' if _is_derivative(inner) else 'a function'}) inside a "
                "function being differentiated, which s2s writes leaf by leaf only for grad, "
                "value_and_grad and jvp of a function and jvp of its grad (the same wrt)",
                where,
                "give the container to s2s.grad(f), s2s.value_and_grad(f), s2s.jvp(f) or "
                "s2s.jvp(s2s.grad(f)), or pass the container's arrays as separate arguments",
            )
        if wholes:
            raise UnsupportedSyntaxError(
                f"a parameter container is given whole to `{wholes[0]}` of {d!r}, a parameter "
                "it does not differentiate, inside a function being differentiated",
                where,
                f"add `{wholes[0]}` to the derivative's wrt, or pass the arrays it reads",
            )
        spec = tuple(
            (n, given[n][0], given[n][2]) for n in d._primal_signature.parameters if n in given
        )
        key = runtime.leaf_spec(spec)
        flat = runtime.leaves_of(d, key)
        trees = flat._leaf_trees
        keywords = []
        for name in d._primal_signature.parameters:
            if name in given:
                keywords += [
                    gast.keyword(arg=leaf, value=value)
                    for leaf, value in zip(trees[name], given[name][1], strict=True)
                ]
            elif name in args:
                keywords.append(gast.keyword(arg=name, value=args[name]))
        for name in d._wrt_names if d.mode == "jvp" else ():
            tangent = args.get(d._tangent_names[name])
            if name not in given:
                if tangent is not None:
                    keywords.append(gast.keyword(arg=flat._tangent_names[name], value=tangent))
                continue
            parts = self.tangent_leaves(lowering, tangent, given[name][0], env, where, name)
            keywords += [
                gast.keyword(arg=flat._tangent_names[trees[name][i]], value=parts[i])
                for i in given[name][2]
            ]
        owner = _name("_s2s")
        owner.s2s_own = True  # (the fence leaves it: s2s wrote it)
        factory = gast.Attribute(value=owner, attr="leaves_of", ctx=gast.Load())
        factory.s2s_target = Target(runtime.leaves_of, "global", "_s2s", ("leaves_of",))
        made = gast.Call(func=factory, args=[node.func, gast.Constant(key, None)], keywords=[])
        value = located(gast.Call(func=made, args=[], keywords=keywords), node)
        higher = _is_derivative(d.primal)
        if d.mode == "jvp" and not higher:  # (f's value and tangent: no container)
            return value
        base = getattr(_function(d), "__name__", "f").strip("<>")
        if d.mode == "grad":  # grad_f_p_w, grad_f_p_b = ...
            result, targets, nones = self.gradient(d, given, trees, f"grad_{base}", text)
            store: gast.expr = gast.Tuple(
                elts=[_name(t, gast.Store()) for t in targets], ctx=gast.Store()
            )
            unpack = []
        else:  # both = ...; value_f = both[0]; grads_f = both[1]; grad_f_p_w = grads_f[0]
            both = self.fresh(f"{d.mode}_{base}")
            store, parts, unpack, nones = _name(both, gast.Store()), [], [], []
            for k, kind in enumerate(("value", "grad") if not higher else ("grad", "tangent")):
                part = self.fresh(f"{kind}s_{base}" if kind != "value" else f"value_{base}")
                unpack.append(_assign(part, _item(both, k)))
                if kind == "value":
                    parts.append(self.make_node(TreeDef(LEAF), [part], part))
                    continue
                inner = d.primal if higher else d
                node_k, targets, more = self.gradient(
                    inner, given, trees, f"{kind}_{base}", f"{text}[{k}]"
                )
                unpack += [_assign(t, _item(part, i)) for i, t in enumerate(targets)]
                parts.append(node_k)
                nones += more
            result = _tuple(parts, self.make_node, text)
        for none in nones:  # (a leaf without a gradient: None, as the gradient tree holds)
            out.append(located(_assign(none, gast.Constant(None, None)), node))
        assign = located(gast.Assign(targets=[store], value=value, type_comment=None), node)
        out += lowering.stmt(assign, env)
        for stmt in unpack:
            out += lowering.stmt(located(stmt, node), env)
        holder = self.fresh(f"{d.mode}_{base}")
        env[holder] = result
        return located(_name(holder), node)

    def gradient(
        self, d: Any, given: dict, trees: dict, prefix: str, label: str
    ) -> tuple[Any, list, list]:
        """``(node, names, nones)``: the gradient of ``d`` (a ``grad``) as a container node of
        fresh names, those the flat form returns (in its order), those of leaves without a
        gradient."""
        results, targets, nones = [], [], []
        for name in d._wrt_names:
            if name not in given:
                leaf = self.fresh(f"{prefix}_{name}")
                results.append(self.make_node(TreeDef(LEAF), [leaf], leaf))
                targets.append(leaf)
                continue
            treedef, _, places = given[name]
            leaves = []
            for i, leaf in enumerate(trees[name]):
                leaves.append(self.fresh(f"{prefix}_{leaf}"))
                (targets if i in places else nones).append(leaves[-1])
            part = label if d._single else f"{label}[{len(results)}]"
            results.append(self.make_node(treedef, leaves, part))
        result = results[0] if d._single else _tuple(results, self.make_node, label)
        return result, targets, nones

    # -- what the call is given ----------------------------------------------------------
    def derivative(self, func: gast.expr, depth: int = 0, build: bool = False) -> Any:
        """The derivative object ``func`` names, known now, else ``None``: a factory's call
        (``s2s.grad(f, wrt="p")``), a global (``DF``), a local bound once to one of those.
        An ``hvp``, ``hessian`` or ``jacobian`` made here is a stand-in naming its kind, or
        with ``build`` the object itself (:mod:`s2s.frontend.composite_calls`)."""
        if isinstance(func, gast.Name) and func.id in self.values:  # passed in: joins the key
            obj = self.values[func.id]
            if _is_derivative(obj):
                self.bound.append(Bound(func.id, (), callable_key(obj)))
            return obj if _is_derivative(obj) or composite_refusal(obj) else None
        if isinstance(func, gast.Name) and func.id in self.local:
            value = self.once.get(func.id)
            if value is None or depth > 4:
                return None
            return self.derivative(value, depth + 1, build)
        if isinstance(func, gast.Call):
            factory = self.static(func.func)
            makes = getattr(factory, "__s2s_makes__", None)
            if isinstance(makes, str) and not build:  # s2s.hvp(f): refused
                return _Composite(factory.__s2s_makes__)
            if not (getattr(factory, "__s2s_factory__", False) or isinstance(makes, str)) or (
                factory is runtime.leaves_of
            ):
                return None
            args = [self.static(a) for a in func.args]
            kwargs = {k.arg: self.static(k.value) for k in func.keywords}
            if any(v is _UNKNOWN for v in [*args, *kwargs.values()]) or None in kwargs:
                return None
            try:
                obj = factory(*args, **kwargs)
            except Exception:  # (the call raises its own error where it runs)
                return None
        else:
            obj = self.static(func)
        return obj if _is_derivative(obj) or composite_refusal(obj) else None

    def static(self, node: gast.expr) -> Any:
        if isinstance(node, gast.Constant):
            return node.value
        if isinstance(node, (gast.Tuple, gast.List)):
            items = [self.static(e) for e in node.elts]
            if _UNKNOWN in items:
                return _UNKNOWN
            return tuple(items) if isinstance(node, gast.Tuple) else items
        if isinstance(node, gast.Call):  # s2s.jvp(s2s.grad(f)): the inner derivative too
            inner = self.derivative(node)
            return inner if _is_derivative(inner) else _UNKNOWN
        chain = name_chain(node)
        if chain is None or chain[0] in self.local or self.func is None:
            return _UNKNOWN
        value = global_value(self.func, node)
        return _UNKNOWN if value is None else value

    def structure(
        self, lowering: Any, node: gast.expr, env: dict
    ) -> tuple[TreeDef, list[gast.expr], tuple[int, ...]] | None:
        """``(structure, leaf expressions, differentiable leaf positions)`` of a container
        given whole: a parameter container (or a part of one) or a dict literal with constant
        keys (of arrays, or of such containers); else ``None``."""
        item = _whole(lowering, node, env)
        if item is not None:
            places = tuple(i for i, n in enumerate(item.names) if self.floats.get(n, True))
            return item.treedef, [_name(n) for n in item.names], places
        if isinstance(node, gast.Name) and node.id not in env and node.id in self.values:
            found = value_tree(self.values[node.id])  # an argument not differentiated
            if found is not None:  # (its leaves read from it: p['w'], p.w, p[0])
                leaves, treedef = found  # the code holds for this structure only
                self.bound.append(Bound(node.id, (), callable_key(self.values[node.id])))
                places = tuple(i for i, v in enumerate(leaves) if is_differentiable_leaf(v))
                return treedef, [_read(node, path, treedef) for path in treedef.paths()], places
        if (
            not isinstance(node, gast.Dict)
            or not node.keys
            or any(
                not isinstance(k, gast.Constant) or not isinstance(k.value, str) for k in node.keys
            )
        ):
            return None
        dummy, leaves, places = {}, [], []
        for key, value in zip(node.keys, node.values, strict=True):
            inner = self.structure(lowering, value, env)
            if inner is None:
                dummy[key.value] = 0.0
                if _differentiable(value, self):
                    places.append(len(leaves))
                leaves.append(value)
                continue
            treedef, parts, inner_places = inner
            dummy[key.value] = _dummy(treedef)
            places += [len(leaves) + i for i in inner_places]
            leaves += parts
        return flatten(dummy)[1], leaves, tuple(places)

    def tangent_leaves(
        self,
        lowering: Any,
        tangent: gast.expr | None,
        treedef: TreeDef,
        env: dict,
        where: Any,
        name: str,
    ) -> list[gast.expr]:
        """A container's tangent given whole, leaf by leaf, in leaf order."""
        found = None if tangent is None else self.structure(lowering, tangent, env)
        if found is not None and found[0] == treedef:
            return found[1]
        if isinstance(tangent, gast.Name) and tangent.id not in env:  # a value of the caller
            return [_read(tangent, path, treedef) for path in treedef.paths()]
        raise UnsupportedSyntaxError(
            f"the tangent of the parameter container `{name}` given whole to a jvp must be a "
            "container of the same structure (a parameter container, a dict literal, or an "
            "argument holding one)",
            where,
            f"pass a tangent built like `{name}` (the same keys or fields)",
        )


_UNKNOWN = object()


class _Composite:
    """An ``hvp``, ``hessp``, ``hessian`` or ``jacobian`` object made in the function."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


def _is_derivative(obj: Any) -> bool:
    return getattr(obj, "__s2s_derivative__", False) is True


def gives_dict(tree: gast.FunctionDef, values: dict[str, Any] | None = None) -> bool:
    """Whether the function calls something with a dict literal, or with an argument not
    differentiated (in ``values``) that holds a container (:func:`value_tree`): either may be
    a derivative object given a container whole, so the container lowering runs then too."""
    trees = {n for n, v in (values or {}).items() if value_tree(v) is not None}
    return any(
        isinstance(node, gast.Call)
        and any(
            isinstance(a, gast.Dict) or isinstance(a, gast.Name) and a.id in trees
            for a in [*node.args, *(k.value for k in node.keywords)]
        )
        for node in walk(tree)
    )


def value_tree(value: Any) -> tuple[list[Any], TreeDef] | None:
    """``(leaves, structure)`` of an argument not differentiated that a derivative called
    inside the function may differentiate leaf by leaf (``grad(o, wrt="x")`` of
    ``o(p, x)`` calling ``grad(f)(p, x)``, ``p`` a list, dict, dataclass or NamedTuple, or a
    tuple holding one); ``None`` for a leaf or a flat tuple of leaves (a tuple argument, which
    a derivative's code takes apart itself)."""
    if kind_of(value) == LEAF:
        return None
    leaves, treedef = flatten(value)
    if treedef.kind == TUPLE and all(c.kind == LEAF for c in treedef.children):
        return None
    if not any(is_differentiable_leaf(v) for v in leaves):
        return None
    return leaves, treedef


def _whole(lowering: Any, node: gast.expr, env: dict) -> Any:
    """The dict, dataclass or NamedTuple container node ``node`` reads, else ``None``."""
    try:
        item = lowering.resolve(node, env)
    except UnsupportedSyntaxError:
        return None
    return item if hasattr(item, "treedef") and item.treedef.kind in _WHOLE else None


def _differentiable(value: gast.expr, calls: DerivativeCalls) -> bool:
    """Whether a dict literal's value is taken to get a gradient: not an int, bool or string
    constant, nor a parameter known to hold something other than real floats."""
    if isinstance(value, gast.Constant):
        return isinstance(value.value, float)
    return not isinstance(value, gast.Name) or calls.floats.get(value.id, True)


def _dummy(treedef: TreeDef) -> Any:
    return unflatten(treedef, [0.0] * treedef.num_leaves)


def _assign(name: str, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[_name(name, gast.Store())], value=value, type_comment=None)


def _function(d: Any) -> Any:
    """The function at the bottom of derivative ``d``."""
    while _is_derivative(d):
        d = d.primal
    return d


def _item(name: str, index: int) -> gast.expr:
    return gast.Subscript(value=_name(name), slice=gast.Constant(index, None), ctx=gast.Load())


def _tuple(parts: list, make_node: Callable, label: str) -> Any:
    treedef = TreeDef(TUPLE, tuple, tuple(range(len(parts))), tuple(p.treedef for p in parts))
    return make_node(treedef, [n for p in parts for n in p.names], label)


def _read(root: gast.Name, path: tuple, treedef: TreeDef) -> gast.expr:
    """``root['w'][0]`` (``root.w`` of a dataclass or NamedTuple) along ``path``."""
    node: gast.expr = _name(root.id)
    for key in path:
        kind = treedef.kind
        if kind in (DATACLASS, NAMEDTUPLE):
            node = gast.Attribute(value=node, attr=key, ctx=gast.Load())
        else:
            node = gast.Subscript(value=node, slice=gast.Constant(key, None), ctx=gast.Load())
        treedef = treedef.children[treedef.keys.index(key)]
    return located(node, root)
