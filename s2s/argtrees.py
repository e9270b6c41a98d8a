"""Argument trees: a ``wrt`` argument that is a parameter container (a dict, list, NamedTuple,
dataclass, or a tuple holding one) is passed to the generated code leaf by leaf, and its
gradient is rebuilt with the argument's structure (docs/containers.md)."""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from s2s.errors import Location, NoRuleError, TangentError, UsageError, caller_location
from s2s.frontend.leafnames import leaf_names
from s2s.frontend.whole import whole_kind
from s2s.modes import GRAD, PULLBACK, VALUE_AND_GRAD, VJP
from s2s.runtime.tangents import check_tangent
from s2s.runtime.trees import (
    DATACLASS,
    LEAF,
    NAMEDTUPLE,
    TUPLE,
    TreeDef,
    flatten,
    is_differentiable_leaf,
    kind_of,
    unflatten,
)
from s2s.runtime.trees import parts_along as _parts_along
from s2s.runtime.trees import tupled as _tupled


def is_tree(value: Any) -> bool:
    """A container argument that takes the tree path (a flat tuple of leaves keeps the tuple
    argument path it always had)."""
    kind = kind_of(value)
    if kind == LEAF:
        return False
    if kind == TUPLE:
        return any(kind_of(v) != LEAF or v is None or isinstance(v, str) for v in value)
    return True


def _taken(func: Any) -> set[str]:
    """Every name the function's code (and its nested code) uses: leaf names avoid them."""
    names: set[str] = set()
    pending = [getattr(func, "__code__", None)]
    while pending:
        code = pending.pop()
        if code is None:
            continue
        names.update(code.co_varnames, code.co_names, code.co_freevars, code.co_cellvars)
        pending += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return names


@dataclass(frozen=True)
class Layout:
    """How the container arguments of one call are passed flat.

    ``trees`` maps each container parameter to its structure and its leaves' names;
    ``wrt`` is the flat ``wrt`` (a container's differentiable leaves in its place);
    ``differentiable`` each container's leaves that get a gradient (by leaf position).
    """

    trees: tuple[tuple[str, TreeDef, tuple[str, ...]], ...]
    wrt: tuple[str, ...]
    differentiable: tuple[tuple[str, tuple[int, ...]], ...]

    def containers(self) -> dict[str, tuple[TreeDef, list[str]]]:
        return {name: (treedef, list(leaves)) for name, treedef, leaves in self.trees}

    def flat_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The arguments with each container replaced by its leaves, in parameter order."""
        trees = {name: leaves for name, _, leaves in self.trees}
        out: dict[str, Any] = {}
        for name, value in arguments.items():
            if name in trees:
                out.update(zip(trees[name], flatten(value)[0], strict=True))
            else:
                out[name] = value
        return out

    def nested_arguments(self, flat: dict[str, Any]) -> dict[str, Any]:
        """The transpose of :meth:`flat_arguments`: each container rebuilt from its leaves, in
        its first leaf's place (other names, a flat derivative's own cotangent or tangents
        among them, kept). The code a flat derivative differentiates is generated for these:
        given the leaves, a derivative inside it saw no container and left its reads
        undifferentiated (a fourth pullback of a helper given lists: a part's gradient
        ``None``). A list comes as a tuple (nested ones too): a derivative differentiates
        the parts of a tuple argument, and a list is an opaque value to it."""
        first = {leaves[0]: (name, treedef, leaves) for name, treedef, leaves in self.trees
                 if leaves}  # fmt: skip
        inside = {leaf for _, _, leaves in self.trees for leaf in leaves}
        out: dict[str, Any] = {}
        for name, value in flat.items():
            if name in first:
                container, treedef, leaves = first[name]
                out[container] = _tupled(unflatten(treedef, [flat[leaf] for leaf in leaves]))
            elif name not in inside:
                out[name] = value
        return out

    def flat_tangents(self, name: str, tangent: Any) -> list[Any]:
        """A container's tangent tree as the tangents of its differentiable leaves."""
        treedef = next(t for n, t, _ in self.trees if n == name)
        leaves, structure = flatten(tangent)
        if structure != treedef:
            raise ValueError("the tangent's structure differs from the argument's")
        places = dict(self.differentiable)[name]
        return [leaves[i] for i in places]

    def rebuild(self, wrt: tuple[str, ...], grads: tuple) -> tuple:
        """The flat gradients (in ``self.wrt`` order) as one gradient per ``wrt`` name, each
        container's rebuilt with its structure (``None`` at leaves without a gradient)."""
        trees = {name: treedef for name, treedef, _ in self.trees}
        places = dict(self.differentiable)
        out, position = [], 0
        for name in wrt:
            if name not in trees:
                out.append(grads[position])
                position += 1
                continue
            leaves: list[Any] = [None] * trees[name].num_leaves
            for i in places[name]:
                leaves[i] = grads[position]
                position += 1
            out.append(unflatten(trees[name], leaves))
        return tuple(out)

    def flat_gradients(self, wrt: tuple[str, ...], parts: tuple) -> tuple:
        """The transpose of :meth:`rebuild`: one value per ``wrt`` name (a container's with
        its structure, ``None`` for a zero, at any depth of it) as the flat tuple, in
        ``self.wrt`` order.

        Raises:
            UsageError: a container's value whose structure is not the container's.
        """
        trees = {name: treedef for name, treedef, _ in self.trees}
        places = dict(self.differentiable)
        out: list[Any] = []
        for name, part in zip(wrt, parts, strict=True):
            if name not in trees:
                out.append(part)
                continue
            try:
                leaves = _parts_along(part, trees[name])
            except ValueError:
                raise UsageError(
                    f"the cotangent of the gradient with respect to `{name}` must have the "
                    f"structure of `{name}`",
                    caller_location(),
                    f"pass a cotangent built like `{name}` (the same keys, fields or length)",
                ) from None
            out += [leaves[i] for i in places[name]]
        return tuple(out)


def layout(func: Callable, wrt: tuple[str, ...], arguments: dict[str, Any]) -> Layout | None:
    """The layout of this call's container ``wrt`` arguments, ``None`` when there are none."""
    names = [n for n in wrt if is_tree(arguments[n])]
    if not names:
        return None
    taken = _taken(func) | set(arguments)
    trees, flat, differentiable = [], [], []
    for name in wrt:
        if name not in names:
            flat.append(name)
            continue
        leaves, treedef = flatten(arguments[name])
        leaf_ids = tuple(leaf_names(name, treedef, taken))
        trees.append((name, treedef, leaf_ids))
        places = tuple(i for i, v in enumerate(leaves) if is_differentiable_leaf(v))
        differentiable.append((name, places))
        flat += [leaf_ids[i] for i in places]
    return Layout(tuple(trees), tuple(flat), tuple(differentiable))


def inner_code(d: Any, function: Any, arguments: dict[str, Any]) -> Any:
    """The generated code of ``function``, the derivative that ``d`` differentiates, for
    ``d``'s ``arguments``, in the form s2s differentiates again (``Generated``).

    A flat derivative ``d`` asks for it with its containers whole (given the leaves, a
    derivative inside it saw no container: :meth:`Layout.nested_arguments`). A dict,
    dataclass or NamedTuple that ``function`` differentiates cannot be read whole there (s2s
    differentiates such an argument leaf by leaf only), so its code is ``function``'s own flat
    form over the same leaves (:func:`flat_layout`), which ``d`` differentiates as it is."""
    if d._layout is None:
        return function.differentiable_generated(arguments)
    given = d._layout.nested_arguments(arguments)
    lay = flat_layout(function, d._layout, given)
    if lay is None:
        return function.differentiable_generated(given)
    flat = function._flat.get(lay)
    if flat is None:
        flat = function._flat[lay] = flat_derivative(function, lay)
    return flat.differentiable_generated(lay.flat_arguments(given))


def flat_layout(function: Any, outer: Layout, values: dict[str, Any]) -> Layout | None:
    """The layout of derivative ``function``'s containers as leaves named as in ``outer``
    where one of them is a dict, dataclass or NamedTuple (:func:`inner_code`); ``None``
    where all are lists or tuples (read whole) or one is not among ``outer``'s."""
    if not getattr(function, "__s2s_derivative__", False) or function._layout is not None:
        return None
    trees = {name: (treedef, leaves) for name, treedef, leaves in outer.trees}
    names = [n for n in function._wrt_names if n in values and is_tree(values[n])]
    if not names or all(whole_kind(flatten(values[n])[1]) for n in names):
        return None
    if any(n not in trees or trees[n][0] != flatten(values[n])[1] for n in names):
        return None
    places = dict(outer.differentiable)
    flat: list[str] = []
    for name in function._wrt_names:
        flat += [trees[name][1][i] for i in places[name]] if name in names else [name]
    return Layout(
        tuple((n, trees[n][0], trees[n][1]) for n in names),
        tuple(flat),
        tuple((n, places[n]) for n in names),
    )


def lowered(d: Any, function: Callable, arguments: dict[str, Any]) -> dict[str, Any]:
    """The containers ``generate`` lowers in ``function``, the code of derivative ``d`` for
    ``arguments``: a flat derivative's, each container's leaves its parameters; else, for a
    derivative of a function asked for the code a flat derivative differentiates (given its
    containers whole, as tuples: :meth:`Layout.nested_arguments`), each ``wrt`` tuple of
    tuples, which stays one parameter with its leaves read at its top (``whole``,
    :mod:`s2s.frontend.whole`): the function's reads of it are lowered as at the orders below
    (a third derivative through a helper that unpacks ``(a,), b = t``); a JVP's tangent of it
    too. A dict, dataclass or NamedTuple is not kept whole: its derivative's code over the
    leaves is differentiated instead (:func:`inner_code`), a flat derivative's containers
    that ``function`` does not take (that code's parameters are the leaves) left out."""
    if d._layout is not None:  # (the containers that function takes: not a flat form's)
        containers = d._layout.containers()
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):  # (no signature to read: every container)
            params = containers
        kept = {n: c for n, c in containers.items() if n in params}
        return {"containers": kept or None, "whole": False}
    names = tuple(n for n in d._wrt_names if is_tree(arguments[n])
                  and whole_kind(flatten(arguments[n])[1]))  # fmt: skip
    if not names:
        return {"containers": None, "whole": False}
    lay = layout(function, names, arguments)
    assert lay is not None
    return {"containers": lay.containers(), "whole": True}


def flat_signature(signature: inspect.Signature, lay: Layout) -> inspect.Signature:
    """``signature`` with each container parameter replaced by its leaves' parameters."""
    trees = {name: leaves for name, _, leaves in lay.trees}
    params = []
    for p in signature.parameters.values():
        if p.name in trees:
            params += [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                       for n in trees[p.name]]  # fmt: skip
        else:
            params.append(p)
    return signature.replace(parameters=params)


def call_tree(d: Any, arguments: dict[str, Any]) -> Any:
    """Call the derivative ``d`` with container ``wrt`` arguments: the flat derivative of this
    layout (made once per layout), called leaf by leaf, its gradients rebuilt with the
    arguments' structures (a tangent tree is flattened likewise).

    A derivative of a derivative (``jvp(grad(f))``, what ``hvp`` calls) differentiates the
    inner derivative's flat form: see :func:`_call_higher`.

    Raises:
        UsageError: ``d`` differentiates a derivative with respect to a container that
            derivative does not differentiate.
        TangentError: a ``jvp`` tangent whose structure is not its argument's.
    """
    inner = d.primal
    if getattr(inner, "__s2s_derivative__", False) and _primal_trees(d, arguments):
        return _call_higher(d, arguments)
    if getattr(inner, "__s2s_derivative__", False) and inner.mode == "jvp":
        dots = set(inner._tangent_names.values())
        taken = [n for n in d._wrt_names if n in dots and is_tree(arguments[n])]
        if taken:
            raise NoRuleError(
                f"a derivative of a JVP with respect to its tangent `{taken[0]}` of a parameter "
                "container is not supported",
                caller_location(),
                f"a JVP is linear in its tangent: its derivative along a change u of "
                f"`{taken[0]}` is the JVP's tangent output called with `{taken[0]}=u`; or pass "
                "the container's arrays as separate arguments",
            )
    if inner_trees(d, arguments):  # one the inner derivative takes, this one does not
        return _call_higher(d, arguments)
    primal_names = list(d._primal_signature.parameters)
    lay = layout(d.primal, d._wrt_names, {n: arguments[n] for n in primal_names})
    assert lay is not None
    flat = d._flat.get(lay)
    if flat is None:
        flat = d._flat[lay] = flat_derivative(d, lay)
    call = lay.flat_arguments({n: arguments[n] for n in primal_names})
    if d.mode == PULLBACK:  # a helper's pullback, in a derivative differentiated again
        call[flat._cotangent_name] = arguments[d._cotangent_name]
    result = _call_flat(d, flat, lay, call, arguments)
    if d.mode == "jvp":
        return result

    def rebuilt(grads: tuple) -> Any:
        out = lay.rebuild(d._wrt_names, grads)
        return out[0] if d._single else out

    return _rebuilt_result(d, result, rebuilt)


JVP_CHAIN: list[Callable] = []  # jvp over jvp over jvp: given by s2s.leafwise (it imports this)


def _primal_trees(d: Any, arguments: dict[str, Any]) -> bool:
    """Whether a container in ``d``'s ``wrt`` is an argument of the primal of ``d``'s primal
    (a derivative): else the only containers are that derivative's own cotangent (a tuple of
    parts, when a pullback's pullback is differentiated again: the third derivative through a
    call of a function of yours), which ``d`` takes apart as it does any container argument
    of a function."""
    names = set(d.primal._primal_signature.parameters)
    return any(n in names and is_tree(arguments[n]) for n in d._wrt_names)


def inner_trees(d: Any, arguments: dict[str, Any]) -> bool:
    """Whether ``d``, a derivative of a derivative, is given a container that one takes but ``d``
    does not differentiate (``vjp(grad(f), wrt="x")([w], x)``): :func:`_call_higher` (not zeros)."""
    if d._layout is not None or not getattr(d.primal, "__s2s_derivative__", False):
        return False
    return any(n not in d._wrt_names and is_tree(arguments.get(n)) for n in d.primal._wrt_names)


def _call_higher(d: Any, arguments: dict[str, Any]) -> Any:
    """Call ``d``, a derivative of the derivative ``inner``, with container arguments.

    ``inner`` passed its containers leaf by leaf is a derivative of ``f`` over the leaves
    (its flat form, :func:`flat_derivative`); ``d`` is made again over that flat form, with
    each container of ``d``'s ``wrt`` replaced by its differentiable leaves, called with the
    leaves (and a tangent tree's leaves), and what it returns is rebuilt: ``inner``'s gradients
    (values and tangents alike) with ``inner``'s containers. Reverse mode (``vjp``): a
    cotangent of ``inner``'s output is taken apart leaf by leaf (:meth:`Layout.flat_gradients`)
    and the pullback's gradients rebuilt with ``d``'s containers. ``grad`` over ``inner``
    would need a scalar, and ``inner`` returns a container (``UsageError``).
    """
    inner = d.primal
    if d.mode in (GRAD, VALUE_AND_GRAD) or inner.mode == VJP:
        raise UsageError(
            f"a {d.mode} of a derivative with respect to a parameter container needs a "
            "scalar output, but the inner derivative returns a gradient with the container's "
            "structure",
            caller_location(),
            "use s2s.vjp of the derivative with a cotangent of that structure, or forward over "
            "reverse (s2s.hvp, s2s.jvp of the gradient, s2s.hessian)",
        )
    names = list(inner._primal_signature.parameters)
    values = {n: arguments[n] for n in names}
    if d.mode == "jvp" and inner.mode == "jvp" and getattr(inner.primal, "mode", None) == "jvp" \
            and any(is_tree(values[n]) and not whole_kind(flatten(values[n])[1])
                    for n in inner._wrt_names if n in values):  # fmt: skip
        found = JVP_CHAIN[0](d, arguments) if JVP_CHAIN else None  # (s2s/leafwise.py)
        if found is not None:
            return found[0]
        raise NoRuleError(  # (the third JVP's flat form would take each leaf's tangent)
            "a third forward derivative (s2s.jvp of s2s.jvp of s2s.jvp) with respect to a "
            "dict, dataclass or NamedTuple parameter container that the innermost derivative "
            "does not differentiate, or over a derivative other than grad, is not supported",
            caller_location(),
            "differentiate the container at every level (the same wrt), or pass the "
            "container's arrays in a list (s2s.tree.flatten)",
        )
    inner_lay = layout(inner.primal, inner._wrt_names, values)
    outer = [n for n in d._wrt_names if n in values and is_tree(values[n])]  # not a cotangent
    if inner_lay is None or not set(outer) <= set(inner_lay.containers()):
        missing = sorted(set(outer) - set(inner_lay.containers() if inner_lay else ()))
        raise UsageError(
            "a derivative of a derivative with respect to a parameter container that the inner "
            f"derivative does not differentiate ({', '.join(missing)}) is not supported (met "
            "too when a helper is passed one dict of a list the function slices)",
            caller_location(),
            "differentiate the inner derivative with respect to the container too, pass the "
            "container's arrays as separate arguments (s2s.tree.flatten), or take that order "
            "forward (s2s.jvp of the derivative)",
        )
    places = dict(inner_lay.differentiable)
    flat_inner = inner._flat.get(inner_lay)
    if flat_inner is None:
        flat_inner = inner._flat[inner_lay] = flat_derivative(inner, inner_lay)
    own = getattr(inner, "_cotangent_name", None) if inner.mode == PULLBACK else None
    # the tangents of inner JVP's containers that d differentiates (a pullback of a helper's
    # JVP given a list): trees whose leaves are flat_inner's tangent parameters
    dots: dict[str, str] = {}  # tangent name: its container's name
    dot_trees: list[tuple[str, TreeDef, tuple[str, ...]]] = []
    for name in inner._wrt_names if inner.mode == "jvp" else ():
        dot = inner._tangent_names[name]
        if dot in d._wrt_names and name in inner_lay.containers():
            _, treedef, ids = _tree(inner_lay, name)
            dots[dot] = name
            leaves = tuple(flat_inner._tangent_names.get(i, i) for i in ids)
            dot_trees.append((dot, treedef, leaves))
    flat_wrt: list[str] = []
    for name in d._wrt_names:
        if name == own:  # inner's own cotangent: the flat form's
            flat_wrt.append(flat_inner._cotangent_name)
            continue
        if name in dots:
            leaves = next(leaves for dot, _, leaves in dot_trees if dot == name)
            flat_wrt += [leaves[i] for i in places[dots[name]]]
            continue
        ids = _leaf_ids(inner_lay, name) if name in outer else (name,)
        flat_wrt += [ids[i] for i in places[name]] if name in outer else list(ids)
    key = (inner_lay, tuple(flat_wrt))
    flat = d._flat.get(key)
    if flat is None:
        flat = d._flat[key] = type(d)(flat_inner, tuple(flat_wrt), d.mode, d.options)
    outer_lay = Layout(
        tuple(t for t in inner_lay.trees if t[0] in outer) + tuple(dot_trees),
        tuple(flat_wrt),
        tuple(p for p in inner_lay.differentiable if p[0] in outer)
        + tuple((dot, places[dots[dot]]) for dot, _, _ in dot_trees),
    )
    # the other arguments as the code flat differentiates was made for: a list as a tuple
    # (a JVP's tangent of a list the flat form's JVP takes whole: Layout.nested_arguments)
    call = {n: _tupled(v) for n, v in inner_lay.flat_arguments(values).items()}
    if inner.mode == PULLBACK:
        call[flat.primal._cotangent_name] = arguments[inner._cotangent_name]
    elif inner.mode == "jvp":  # inner's own tangents, leaf by leaf (jvp of jvp of f)
        for name in inner._wrt_names:
            tangent = arguments[inner._tangent_names[name]]
            for leaf, part in leaf_tangents(inner_lay, name, tangent, values):
                call[flat_inner._tangent_names[leaf]] = part
    renamed = {own: flat_inner._cotangent_name} if own in d._wrt_names else {}
    result = None
    if d.mode == "jvp":  # (a pullback takes its own cotangent too, added below; a vjp once)
        result = _call_flat(d, flat, outer_lay, call, arguments, renamed)

    primal_lay = flat_layout(inner.primal, inner_lay, values) if inner.mode == "jvp" else None

    def inner_rebuilt(grads: Any) -> Any:
        if inner.mode == "jvp":  # (value, tangent) of f's output: a gradient's as given
            return tuple(_as_given(g, inner.primal, values, primal_lay) for g in grads)
        value, grads = grads if inner.mode == VALUE_AND_GRAD else (None, grads)
        out = inner_lay.rebuild(inner._wrt_names, grads)
        out = out[0] if inner._single else out
        return (value, out) if inner.mode == VALUE_AND_GRAD else out  # (f's value too)

    if d.mode == "jvp":
        value, tangent = result
        return inner_rebuilt(value), inner_rebuilt(tangent)

    def outer_rebuilt(grads: Any) -> Any:
        out = outer_lay.rebuild(d._wrt_names, grads)
        return out[0] if d._single else out

    def flat_cotangent(ct: Any) -> tuple:
        if inner.mode == "jvp":  # of (value, tangent) of f's output: a gradient's as given
            return tuple(_flat_as_given(part, inner.primal, primal_lay) for part in ct)
        value, ct = ct if inner.mode == VALUE_AND_GRAD else (None, ct)  # (f's value's too)
        flat = inner_lay.flat_gradients(inner._wrt_names, (ct,) if inner._single else ct)
        return (value, flat) if inner.mode == VALUE_AND_GRAD else flat

    if d.mode == PULLBACK:  # d's cotangent, of inner's output: passed leaf by leaf
        call[flat._cotangent_name] = flat_cotangent(arguments[d._cotangent_name])
        result = flat(**call)
        d._latest = flat._latest
        return outer_rebuilt(result)
    value, pullback = flat(**call)
    d._latest = flat._latest
    return inner_rebuilt(value), lambda ct: outer_rebuilt(pullback(flat_cotangent(ct)))


def _flat_as_given(part: Any, d: Any, lay: Layout | None) -> Any:
    """The transpose of :func:`_as_given` over leaves (``lay``): a cotangent of ``d``'s output
    given in its containers' structure, as the flat code's tuple of leaves."""
    if part is None or lay is None or getattr(d, "mode", None) not in (GRAD, PULLBACK):
        return part
    return lay.flat_gradients(d._wrt_names, (part,) if d._single else part)


def _as_given(grads: Any, d: Any, values: dict[str, Any], lay: Layout | None) -> Any:
    """The output of ``d`` (a value or tangent of it, from code generated for its containers
    as tuples: :meth:`Layout.nested_arguments`, or over their leaves by ``lay``, the layout of
    :func:`flat_layout`) with each container's gradient of ``d``, a ``grad`` or pullback, in
    the structure of its argument in ``values`` (a list a list again, as ``jvp(grad(f))``
    gives it); anything else as it is."""
    if getattr(d, "mode", None) not in (GRAD, PULLBACK):
        return grads
    if lay is not None:  # the flat gradients, in lay.wrt order
        out = lay.rebuild(d._wrt_names, grads)
        return out[0] if d._single else out
    parts = (grads,) if d._single else grads
    if type(parts) not in (list, tuple) or len(parts) != len(d._wrt_names):
        return grads
    out = []
    for name, part in zip(d._wrt_names, parts, strict=True):
        if name in values and is_tree(values[name]) or type(values.get(name)) is list:
            treedef = flatten(values[name])[1]
            try:
                part = unflatten(treedef, _parts_along(part, treedef))
            except ValueError:  # (not a gradient of that structure: left as it came)
                pass
        out.append(part)
    return out[0] if d._single else tuple(out)


def _call_flat(d: Any, flat: Any, lay: Layout, call: dict[str, Any], arguments: dict[str, Any],
               renamed: dict[str, str] | None = None) -> Any:  # fmt: skip
    """Call ``flat`` (``d`` over leaves) with the flat arguments ``call``, adding a ``jvp``'s
    tangents leaf by leaf (``renamed``: a parameter of ``d`` that ``flat`` names otherwise,
    the cotangent of an inner pullback, whose tangent ``flat`` takes under that name)."""
    renamed = renamed or {}
    if d.mode == "jvp":
        for name in d._wrt_names:
            tangent = arguments[d._tangent_names[name]]
            if name in renamed:  # an inner pullback's own cotangent: the flat form's name
                call[flat._tangent_names[renamed[name]]] = tangent
                continue
            for leaf, part in leaf_tangents(lay, name, tangent, arguments):
                call[flat._tangent_names[leaf]] = part
    result = flat(**call)
    d._latest = flat._latest
    return result


def leaf_tangents(lay: Layout, name: str, tangent: Any, arguments: dict[str, Any]) -> list:
    """``(leaf parameter, part)`` of the tangent of argument ``name``: itself where ``name`` is
    not a container of ``lay``, else its parts (one per differentiable leaf), each checked
    against its leaf, named as the user writes them (``p['w']``).

    Raises:
        TangentError: a tangent without the container's structure, or a part of the wrong
            shape or dtype.
    """
    if name not in lay.containers():
        return [(name, tangent)]
    try:
        parts = lay.flat_tangents(name, tangent)
    except ValueError as exc:
        raise TangentError(
            f"the tangent of `{name}` must have the structure of `{name}` ({exc})",
            caller_location(),
            f"pass a tangent built like `{name}` (the same keys, fields or length)",
        ) from None
    ids = _leaf_ids(lay, name)
    places = dict(lay.differentiable)[name]
    values, treedef = flatten(arguments[name])
    labels = _leaf_labels(name, treedef)
    where = caller_location() or Location("<unknown>", 0)
    pairs = []
    for i, part in zip(places, parts, strict=True):
        check_tangent(part, values[i], labels[i], where.filename, where.lineno)
        pairs.append((ids[i], part))
    return pairs


def _leaf_labels(name: str, treedef: TreeDef) -> list[str]:
    """Each leaf as the user reads it: ``p['w']``, ``layers[0]['b']``, ``params.w``."""
    if treedef.kind == LEAF:
        return [name]
    labels: list[str] = []
    for key, child in zip(treedef.keys, treedef.children, strict=True):
        field = treedef.kind in (DATACLASS, NAMEDTUPLE)
        labels += _leaf_labels(f"{name}.{key}" if field else f"{name}[{key!r}]", child)
    return labels


def _rebuilt_result(d: Any, result: Any, rebuilt: Callable[[tuple], Any]) -> Any:
    """A ``grad``, ``pullback``, ``vjp`` or ``value_and_grad`` result with its gradients
    rebuilt."""
    if d.mode == GRAD or d.mode == PULLBACK:
        return rebuilt(result)
    value, rest = result
    if d.mode == VJP:
        return value, lambda *cts: rebuilt(rest(*cts))
    return value, rebuilt(rest)


def _leaf_ids(lay: Layout, name: str) -> tuple[str, ...]:
    return _tree(lay, name)[2]


def _tree(lay: Layout, name: str) -> tuple[str, TreeDef, tuple[str, ...]]:
    return next(tree for tree in lay.trees if tree[0] == name)


def flat_derivative(outer: Any, lay: Layout) -> Any:
    """The derivative of ``outer``'s function with each container argument passed as its
    leaves (the pipeline lowers the container reads: s2s/frontend/containers.py)."""
    flat = type(outer).__new__(type(outer))
    flat.primal, flat.mode, flat.options = outer.primal, outer.mode, outer.options
    flat.wrt, flat._wrt_names, flat._single = lay.wrt, lay.wrt, False
    # a container's name is still read by the code differentiated (and names the argument
    # of the derivative it is: higher order): the added cotangent or tangents avoid it
    flat._finish(flat_signature(outer._primal_signature, lay), tuple(lay.containers()))
    flat._layout, flat._outer_wrt = lay, outer.wrt
    flat.__qualname__ = getattr(outer.primal, "__qualname__", "f")
    flat.__name__ = getattr(outer.primal, "__name__", "f")
    flat.__signature__ = flat._signature  # a derivative of it binds by its leaves
    return flat
