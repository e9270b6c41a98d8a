"""Leaf by leaf: a derivative object given a parameter container whole inside a function being
differentiated (``s2s.grad(f)(params)`` in ``outer``) is called in the generated code through
its flat form, which takes the container's leaves (:mod:`s2s.frontend.derivcalls` writes the
call, ``_s2s.leaves_of(grad_1, key)(params_w=params_w, ...)``; the runtime's ``leaves_of``
reaches :func:`leafwise` through ``set_maker``, as the runtime imports no pass)."""

from __future__ import annotations

from typing import Any

from s2s.argtrees import flat_derivative, layout
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


_MADE: dict[tuple, Any] = {}
set_maker("leaves", leafwise)
