"""Trees: parameter containers (dicts, lists, tuples, NamedTuples, dataclasses) as leaves and a
structure, and back.

A *node* is a ``dict`` (keys in insertion order), ``list``, ``tuple``, NamedTuple or dataclass
instance; anything else is a *leaf*. A leaf is *differentiable* when it is a real floating
ndarray (or array of another namespace), a Python ``float`` or a numpy floating scalar; ints,
bools, strings, ``None`` and integer arrays are leaves without a gradient (``None`` in a
gradient tree).

>>> leaves, treedef = flatten({"w": 1.0, "layers": [2.0, (3.0, "relu")]})
>>> leaves
[1.0, 2.0, 3.0, 'relu']
>>> unflatten(treedef, [10.0, 20.0, 30.0, None])
{'w': 10.0, 'layers': [20.0, (30.0, None)]}
>>> treedef.paths()
[('w',), ('layers', 0), ('layers', 1, 0), ('layers', 1, 1)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from s2s.errors import UsageError, caller_location
from s2s.runtime.namespace import is_foreign_array

DICT, LIST, TUPLE, NAMEDTUPLE, DATACLASS, LEAF = (
    "dict", "list", "tuple", "namedtuple", "dataclass", "leaf",
)  # fmt: skip


@dataclass(frozen=True)
class TreeDef:
    """The structure of a tree: its kind, its Python type, its keys (dict keys, field names or
    positions) and its children's structures. Hashable: it joins a derivative's cache key."""

    kind: str
    type: type | None = None
    keys: tuple = ()
    children: tuple[TreeDef, ...] = ()

    @property
    def num_leaves(self) -> int:
        return 1 if self.kind == LEAF else sum(c.num_leaves for c in self.children)

    def paths(self) -> list[tuple]:
        """The path of keys to each leaf, in leaf order."""
        if self.kind == LEAF:
            return [()]
        return [(k, *p) for k, c in zip(self.keys, self.children) for p in c.paths()]

    def child(self, key: Any) -> TreeDef | None:
        """The child at ``key`` (a dict key, field name or position), ``None`` if absent."""
        for k, c in zip(self.keys, self.children):
            if k == key and type(k) is type(key):
                return c
        return None


def kind_of(value: Any) -> str:
    """The node kind of ``value`` (``LEAF`` for a leaf)."""
    kind = type(value)
    if kind is dict:
        return DICT
    if kind is list:
        return LIST
    if kind is tuple:
        return TUPLE
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        return NAMEDTUPLE
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return DATACLASS
    return LEAF


def is_container(value: Any) -> bool:
    return kind_of(value) != LEAF


def is_differentiable_leaf(value: Any) -> bool:
    """A real floating array or scalar: a leaf that gets a gradient."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return True
    if isinstance(value, (np.ndarray, np.generic)) or is_foreign_array(value):
        return getattr(value, "dtype", np.dtype(object)).kind == "f"
    return False


def _children(value: Any, kind: str) -> tuple[tuple, list]:
    if kind == DICT:
        return tuple(value.keys()), list(value.values())
    if kind == NAMEDTUPLE:
        return tuple(type(value)._fields), list(value)
    if kind == DATACLASS:
        names = tuple(f.name for f in dataclasses.fields(value))
        return names, [getattr(value, n) for n in names]
    return tuple(range(len(value))), list(value)


def flatten(tree: Any) -> tuple[list[Any], TreeDef]:
    """The leaves of ``tree`` in order (dict insertion order, dataclass field order) and its
    structure. A leaf on its own is a tree of one leaf."""
    leaves: list[Any] = []

    def walk(value: Any) -> TreeDef:
        kind = kind_of(value)
        if kind == LEAF:
            leaves.append(value)
            return TreeDef(LEAF)
        keys, items = _children(value, kind)
        return TreeDef(kind, type(value), keys, tuple(walk(v) for v in items))

    return leaves, walk(tree)


def unflatten(treedef: TreeDef, leaves: list[Any]) -> Any:
    """The tree of structure ``treedef`` holding ``leaves`` (in :func:`flatten`'s order)."""
    if not isinstance(treedef, TreeDef):
        raise UsageError(
            f"unflatten takes the TreeDef that flatten returned, not {type(treedef).__name__}",
            caller_location(),
            "leaves, treedef = s2s.tree.flatten(tree); s2s.tree.unflatten(treedef, leaves)",
        )
    if not isinstance(leaves, (list, tuple)) or len(leaves) != treedef.num_leaves:
        got = f"{len(leaves)}" if isinstance(leaves, (list, tuple)) else type(leaves).__name__
        raise UsageError(
            f"expected a list of {treedef.num_leaves} leaves, got {got}",
            caller_location(),
            "pass one leaf per leaf of the tree, in flatten's order",
        )
    it = iter(leaves)

    def build(node: TreeDef) -> Any:
        if node.kind == LEAF:
            return next(it)
        items = [build(c) for c in node.children]
        if node.kind == DICT:
            return dict(zip(node.keys, items))
        if node.kind == LIST:
            return items
        if node.kind == TUPLE:
            return tuple(items)
        if node.kind == NAMEDTUPLE:
            return node.type(*items)
        return _dataclass(node, items)

    return build(treedef)


def _dataclass(node: TreeDef, items: list[Any]) -> Any:
    """A new instance of the dataclass ``node.type`` with these field values (``__init__`` is
    not called: a field without ``init`` gets its value too; frozen classes are fine)."""
    obj = object.__new__(node.type)
    for name, value in zip(node.keys, items):
        object.__setattr__(obj, name, value)
    return obj


def ravel(tree: Any) -> tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """Every differentiable leaf of ``tree`` joined in one 1-D float64 vector, and the function
    taking such a vector back to a tree of ``tree``'s structure (the other leaves as they were).

    For ``scipy.optimize.minimize``, which wants ``x0`` as a vector::

        x0, unravel = s2s.tree.ravel(params)
        fun = lambda v: (lambda val, g: (val, s2s.tree.ravel(g)[0]))(*vg(unravel(v)))

    Each leaf comes back with its shape, its dtype and its kind (a Python float stays a float).
    Raises :class:`s2s.UsageError` (a ``ValueError``) when the vector has the wrong length.
    """
    leaves, treedef = flatten(tree)
    places = [i for i, v in enumerate(leaves) if is_differentiable_leaf(v)]
    parts = [np.asarray(leaves[i], dtype=np.float64).ravel() for i in places]
    vector = np.concatenate(parts) if parts else np.zeros(0)
    shapes = [(np.shape(leaves[i]), leaves[i]) for i in places]

    def unravel(v: np.ndarray) -> Any:
        v = np.asarray(v)
        if v.shape != vector.shape or v.dtype.kind not in "fiu":
            raise UsageError(
                f"expected a real vector of shape {vector.shape}, got {v.dtype} {v.shape}",
                caller_location(),
                "pass a vector of the length ravel returned (scipy.optimize's x)",
            )
        out, start = list(leaves), 0
        for i, (shape, old) in zip(places, shapes):
            size = int(np.prod(shape))
            piece = v[start : start + size].reshape(shape)
            start += size
            if isinstance(old, float):
                out[i] = float(piece)
            elif isinstance(old, np.generic):
                out[i] = type(old)(piece)
            else:
                out[i] = piece.astype(old.dtype, copy=True)
        return unflatten(treedef, out)

    return vector, unravel


def ravel_like(tree: Any) -> np.ndarray:
    """The differentiable leaves of ``tree`` as one 1-D float64 vector (``None`` leaves, as a
    gradient gives non-differentiable ones, are skipped)."""
    leaves, _ = flatten(tree)
    parts = [np.asarray(v, dtype=np.float64).ravel() for v in leaves if is_differentiable_leaf(v)]
    return np.concatenate(parts) if parts else np.zeros(0)


def parts_along(part: Any, treedef: TreeDef) -> list[Any]:
    """The leaves of ``part``, a cotangent of a tree of structure ``treedef``, in its leaf
    order. ``None`` stands for a zero at any depth: code differentiated again gives a part
    of a list of parts without a cotangent as ``None`` (grad six times through a helper
    gives a fourth pullback's own cotangent ``[None, c, None]`` for ``[[a], b, c]``).

    Raises:
        ValueError: ``part`` has another structure.
    """
    if part is None:
        return [None] * treedef.num_leaves
    if treedef.kind == LEAF:
        if kind_of(part) != LEAF:
            raise ValueError("a container where a leaf belongs")
        return [part]
    if _stacked(part, treedef):  # a list of same-shape leaves' cotangent, stacked
        part = treedef.type(part)
    if treedef.kind in (LIST, TUPLE) and type(part) in (list, tuple):  # derivative code gives
        part = treedef.type(part)  # a tuple's parts as a list, and a list's as a tuple
    if type(part) is not treedef.type:
        raise ValueError("another container type")
    if treedef.kind == DICT:
        if len(part) != len(treedef.keys) or set(part) != set(treedef.keys):
            raise ValueError("other keys")
        items = [part[k] for k in treedef.keys]
    elif treedef.kind == DATACLASS:
        items = [getattr(part, k) for k in treedef.keys]
    else:
        if len(part) != len(treedef.keys):
            raise ValueError("another length")
        items = list(part)
    return [leaf for item, child in zip(items, treedef.children, strict=True)
            for leaf in parts_along(item, child)]  # fmt: skip


def tupled(value: Any) -> Any:
    """``value`` with each list (at any depth inside lists and tuples) a tuple."""
    if type(value) in (list, tuple):
        return tuple(tupled(item) for item in value)
    return value


def _stacked(part: Any, treedef: TreeDef) -> bool:
    """Whether ``part`` is a list container's cotangent as one array (derivative code stacks
    a list of pieces of one shape): its rows are the leaves'."""
    return (
        treedef.kind in (LIST, TUPLE)
        and all(c.kind == LEAF for c in treedef.children)
        and isinstance(part, np.ndarray)
        and part.ndim >= 1
        and part.shape[0] == len(treedef.children)
    )
