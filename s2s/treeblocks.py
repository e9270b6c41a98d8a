"""Blocks of Jacobians and Hessians with respect to parameter containers.

A ``wrt`` argument that is a container (a dict, list, NamedTuple, dataclass) is differentiated
leaf by leaf: a basis direction is a tangent tree that is one unit entry in one leaf and zero
elsewhere, and the Jacobian with respect to the container is a tree of its structure whose
leaves are blocks, as JAX gives it: ``jacobian(f)(p)["w"]`` has shape
``f(p).shape + p["w"].shape``, ``hessian(f)(p)["w"]["b"]`` shape ``p["w"].shape +
p["b"].shape``. A leaf that is not a float array (an int, a string, ``None``) gets ``None``.
An array argument is the one-leaf case: its block is the result itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from s2s.argtrees import is_tree as takes_tree_path
from s2s.runtime.trees import flatten, is_differentiable_leaf, unflatten


def is_tree(x: Any) -> bool:
    """Whether ``x`` has blocks leaf by leaf: a container, a flat tuple of arrays or numbers
    too (which the derivatives take as a tuple argument, not by the tree path: a Hessian of
    ``f((a, b))`` took the tuple for one array, TypeError)."""
    return type(x) is tuple or takes_tree_path(x)


def slots(x: Any) -> list[tuple[int, Any]]:
    """``(slot, leaf)`` for each differentiable leaf of ``x`` (``[(0, x)]`` for an array)."""
    if not is_tree(x):
        return [(0, x)]
    leaves, _ = flatten(x)
    return [(i, leaf) for i, leaf in enumerate(leaves) if is_differentiable_leaf(leaf)]


def basis(x: Any) -> Iterator[tuple[int, Any]]:
    """``(slot, direction)``: the unit directions of every entry of ``x``'s differentiable
    leaves in leaf order then C order, each a tree of ``x``'s structure for a container."""
    if not is_tree(x):
        for e in _unit(x):
            yield 0, e
        return
    leaves, treedef = flatten(x)
    zeros = [np.zeros_like(v, _dtype(v)) if is_differentiable_leaf(v) else v for v in leaves]
    for slot, leaf in slots(x):
        for e in _unit(leaf):
            yield slot, unflatten(treedef, [e if i == slot else z for i, z in enumerate(zeros)])


def parts(g: Any, x: Any) -> dict[int, Any]:
    """A gradient or tangent ``g`` of ``x``'s structure as its differentiable leaves by slot."""
    if not is_tree(x):
        return {0: g}
    leaves, _ = flatten(g) if g is not None else ([None] * len(flatten(x)[0]), None)
    return {slot: leaves[slot] for slot, _ in slots(x)}


def assemble(x: Any, blocks: dict[int, Any]) -> Any:
    """The blocks by slot in ``x``'s structure (``None`` at leaves without one)."""
    if not is_tree(x):
        return blocks[0]
    leaves, treedef = flatten(x)
    return unflatten(treedef, [blocks.get(i) for i in range(len(leaves))])


def _dtype(x: Any) -> np.dtype:
    dtype = np.result_type(x)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def _unit(x: Any) -> Iterator[Any]:
    """The unit directions of ``x``'s entries in C order, each of ``x``'s type and dtype."""
    shape = np.shape(x)
    for index in range(math.prod(shape)):
        e = np.zeros(shape, _dtype(x))
        e.flat[index] = 1.0
        yield e if shape or not isinstance(x, float) else float(e)
