"""Leaf by leaf: derivatives of derivatives made over the leaves of parameter containers,
bottom-up.

- A derivative object given a container whole inside a function being differentiated
  (``s2s.grad(f)(params)`` in ``outer``) is called in the generated code through its flat form,
  which takes the container's leaves (:mod:`s2s.frontend.derivcalls` writes the call,
  ``_s2s.leaves_of(grad_1, key)(params_w=params_w, ...)``; the runtime's ``leaves_of`` reaches
  :func:`leafwise` through ``set_maker``, as the runtime imports no pass).
- ``jvp`` three or more times over a function given a dict, dataclass or NamedTuple
  (:func:`jvp_chain`): each ``jvp`` is made over the flat form of the one below it, the
  tangents of every level given leaf by leaf (s2s.argtrees makes two levels so; its third
  level's flat form took the inner tangent whole and failed)."""

from __future__ import annotations

from typing import Any

from s2s.argtrees import GRAD, JVP_CHAIN, flat_derivative, is_tree, layout, leaf_tangents
from s2s.runtime.tangents import set_maker
from s2s.runtime.trees import unflatten


def leafwise(d: Any, spec: tuple) -> Any:
    """The flat form of derivative ``d`` for the containers of ``spec``
    (:func:`s2s.runtime.leaf_spec`): each ``(parameter, treedef, differentiable leaf
    positions)`` passed leaf by leaf, named as for a call of ``d`` with such containers
    (``flat._leaf_trees``: each container's leaf parameters). ``d`` is a derivative of a
    function (:func:`s2s.argtrees.flat_derivative`) or a ``jvp`` of the ``grad`` of one, made
    over the gradient's flat form as ``s2s.argtrees`` makes it for ``jvp(grad(f))(p, v)``: it
    returns the flat gradient and its tangent. One per equal derivative and spec: generated
    code makes ``s2s.grad(f)`` anew at each call, and the sub-derivative that differentiates
    the flat form is cached per object."""
    root, chain = d._cache_identity()
    key = (root, chain, d._wrt_names, d._single, d.mode, d.options, spec)
    found = _MADE.get(key)
    if found is not None:
        return found
    given = {}
    for name, treedef, places in spec:  # a float where a leaf gets a gradient, else an int
        leaves = [0.0 if i in places else 0 for i in range(treedef.num_leaves)]
        given[name] = unflatten(treedef, leaves)
    inner = d.primal if getattr(d.primal, "__s2s_derivative__", False) else d
    arguments = {n: given.get(n, 0.0) for n in inner._primal_signature.parameters}
    lay = layout(inner.primal, inner._wrt_names, arguments)
    assert lay is not None  # (spec names a container among the wrt)
    flat = inner._flat.get(lay)
    if flat is None:
        flat = inner._flat[lay] = flat_derivative(inner, lay)
    if inner is not d:  # jvp(grad(f)): the jvp of the gradient's flat form, leaf by leaf
        places = dict(lay.differentiable)
        trees = {name: leaves for name, _, leaves in lay.trees}
        wrt: list[str] = []
        for name in d._wrt_names:
            wrt += [trees[name][i] for i in places[name]] if name in trees else [name]
        flat = type(d)(flat, tuple(wrt), d.mode, d.options)
    flat._leaf_trees = {name: leaves for name, _, leaves in lay.trees}
    _MADE[key] = flat
    return flat


def jvp_chain(d: Any, arguments: dict[str, Any]) -> tuple[Any] | None:
    """``(result,)`` of ``d``, a ``jvp`` of a ``jvp`` of ... a ``jvp`` of a function ``f``
    (three or more) or of ``grad(f)``, called with ``arguments`` (``f``'s, then each level's
    tangents) where ``f``'s containers are dicts, dataclasses or NamedTuples: the bottom
    ``jvp`` (or ``grad``) over the leaves (:func:`s2s.argtrees.flat_derivative`), each ``jvp``
    above it made over the one below with its ``wrt`` containers as their differentiable
    leaves, every tangent given leaf by leaf (a tangent tree checked against its container).
    The outputs are nested as ``jvp`` nests them: ``f``'s, or each a gradient in ``p``'s
    structure. A level may differentiate a tangent of a level below too (``wrt=("p",
    "p_dot")``), its leaves the tangent's. ``None`` where a level's ``wrt`` names a container
    the bottom derivative does not differentiate (the caller refuses it).

    Raises:
        TangentError: a tangent without its container's structure, or a part of the wrong
            shape or dtype.
    """
    levels = []
    while getattr(d, "__s2s_derivative__", False) and d.mode == "jvp":
        levels.append(d)
        d = d.primal
    if getattr(d, "__s2s_derivative__", False):  # jvp(jvp(jvp(grad(f)))): over grad's flat form
        if d.mode != GRAD or getattr(d.primal, "__s2s_derivative__", False):
            return None
        below, above = d, levels
    else:
        below, above = levels[-1], levels[:-1]
    values = {n: arguments[n] for n in below._primal_signature.parameters}
    lay = layout(below.primal, below._wrt_names, values)
    if lay is None:
        return None
    places = dict(lay.differentiable)
    # each name a level may differentiate: f's parameters, and the tangents of the levels
    # below; a container's (or its tangent's) as (container, its leaves' parameters in the
    # flat form, by leaf position), another's as (None, its parameter)
    names: dict[str, tuple[str | None, Any]] = {
        n: (n, dict(zip(places[n], (leaves[i] for i in places[n]))))
        for n, _, leaves in lay.trees
    }  # fmt: skip
    names.update((n, (None, n)) for n in values if n not in names and not is_tree(values[n]))
    flat = below._flat.get(lay)
    if flat is None:
        flat = below._flat[lay] = flat_derivative(below, lay)
    call = lay.flat_arguments(values)
    for level in [below] * (below.mode == "jvp") + above[::-1]:
        if any(n not in names for n in level._wrt_names):
            return None  # (a container not differentiated below, or a tangent's part)
        if level is not below:  # the jvp of the flat form below, with respect to the leaves
            wrt: list[str] = []
            for name in level._wrt_names:
                container, params = names[name]
                wrt += list(params.values()) if container is not None else [params]
            key = ("over the leaves", lay, tuple(wrt))
            made = level._flat.get(key)
            if made is None:
                made = level._flat[key] = type(level)(flat, tuple(wrt), "jvp", level.options)
            flat = made
        for name in level._wrt_names:
            container, params = names[name]
            tangent = arguments[level._tangent_names[name]]
            if container is None:
                call[flat._tangent_names[params]] = tangent
                names[level._tangent_names[name]] = (None, flat._tangent_names[params])
                continue
            pairs = leaf_tangents(lay, container, tangent, values)  # (checked, in leaf order)
            mine = {}
            for i, (_, part) in zip(places[container], pairs, strict=True):
                mine[i] = flat._tangent_names[params[i]]
                call[mine[i]] = part
            names[level._tangent_names[name]] = (container, mine)
    result = flat(**call)
    levels[0]._latest = flat._latest
    if below.mode != GRAD:
        return (result,)

    def rebuilt(part: Any, depth: int) -> Any:  # each flat gradient with below's containers
        if depth:
            return tuple(rebuilt(p, depth - 1) for p in part)
        out = lay.rebuild(below._wrt_names, part)
        return out[0] if below._single else out

    return (rebuilt(result, len(above)),)


_MADE: dict[tuple, Any] = {}
set_maker("leaves", leafwise)
JVP_CHAIN[:] = [jvp_chain]
