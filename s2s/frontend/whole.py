"""Whole containers: a parameter container that stays one parameter of the derivative while its
reads are lowered to its leaves (:mod:`s2s.frontend.containers`), each leaf read from the
parameter once at the top.

A derivative differentiated again inside a flat derivative (a helper's pullback called in the
code of ``grad(grad(f))``, differentiated by ``grad`` of that) gives its code its containers
whole (``Layout.nested_arguments``): the code that differentiates it takes the same
parameter, a tuple of tuples, and lowers its reads in turn. Written from the user's function
with the container as a plain tuple argument, ``(a,), b = t`` was refused and ``u = t[0]``
then ``u[0]`` was left undifferentiated (a tuple item copied is not followed): a third
derivative through a helper given ``((x,), y)`` came out wrong. Lowered, the function reads
only leaves, and a leaf is one subscript chain of the parameter, which the tuple argument's
items follow.

>>> import gast
>>> from s2s.frontend.containers import lower
>>> from s2s.frontend.leafnames import leaf_names
>>> from s2s.runtime.trees import flatten
>>> tree = gast.parse("def h(t):\\n    (a,), b = t\\n    return a * b\\n").body[0]
>>> treedef = flatten(((1.0,), 2.0))[1]
>>> containers = {"t": (treedef, leaf_names("t", treedef, set()))}
>>> params = [a.id for a in tree.args.args]
>>> _ = lower(tree, containers, lambda n: None)
>>> keep_whole(tree, containers, params)
>>> print(gast.unparse(tree).strip())
def h(t):
    t_0_0 = t[0][0]
    t_1 = t[1]
    a = t_0_0
    b = t_1
    return a * b
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.runtime.trees import LEAF, LIST, TUPLE, TreeDef


def whole_kind(treedef: TreeDef) -> bool:
    """Whether a container of this structure can stay whole: tuples and lists (at any depth)
    of leaves, which a derivative's code indexes (a tuple argument's items are followed)."""
    if treedef.kind == LEAF:
        return True
    return treedef.kind in (TUPLE, LIST) and all(whole_kind(c) for c in treedef.children)


def keep_whole(tree: gast.FunctionDef, containers: dict[str, tuple[TreeDef, list[str]]],
               params: list[str]) -> None:  # fmt: skip
    """Rewrite ``tree``, whose containers were lowered to leaf parameters, back to the
    parameters ``params`` (the names before lowering), each leaf of a container bound at the
    top from the container: ``t_0_0 = t[0][0]``, in leaf order."""
    args = {a.id: a for a in tree.args.args if isinstance(a, gast.Name)}
    reads: list[gast.stmt] = []
    kept: list[gast.expr] = []
    for name in params:
        if name not in containers:
            kept.append(args[name])
            continue
        treedef, leaves = containers[name]
        kept.append(gast.Name(id=name, ctx=gast.Param(), annotation=None, type_comment=None))
        for leaf, path in zip(leaves, _paths(treedef), strict=True):
            value: gast.expr = gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                         type_comment=None)  # fmt: skip
            for key in path:
                value = gast.Subscript(value=value, slice=gast.Constant(value=key, kind=None),
                                       ctx=gast.Load())  # fmt: skip
            target = gast.Name(id=leaf, ctx=gast.Store(), annotation=None, type_comment=None)
            reads.append(gast.Assign(targets=[target], value=value, type_comment=None))
    for stmt in reads:
        for node in gast.walk(stmt):
            gast.copy_location(node, tree)
    tree.args.args = kept
    tree.body[:0] = reads


def _paths(treedef: TreeDef) -> list[tuple[Any, ...]]:
    """Each leaf's keys from the root, in leaf order."""
    if treedef.kind == LEAF:
        return [()]
    return [(key, *rest) for key, child in zip(treedef.keys, treedef.children, strict=True)
            for rest in _paths(child)]  # fmt: skip
