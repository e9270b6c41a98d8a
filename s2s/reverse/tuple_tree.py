"""The returned tuple of tuples: its form as written, its leaves, and where each leaf's
cotangent comes from.

A function returning ``((a, b), (c, d))`` (a helper of yours, or a JVP of a function
returning a tuple: its value and its tangent) has a cotangent built like its output. The
pullback takes it apart leaf by leaf with ``_s2s.check_cotangent_tree`` (``None`` for an item
or a whole inner tuple); in code that is differentiated again, each leaf's cotangent is read
from the tree item by item with ``_s2s.item_of`` (:func:`leaf_seeds`), a linear helper whose
rules take the tree apart and put it back, so the next order differentiates the reads.

>>> import gast
>>> loss = gast.parse("((a, b), c)").body[0].value
>>> gast.unparse(output_tree(loss)).strip()
'((0, 0), 0)'
>>> [gast.unparse(e).strip() for e in output_leaves(loss)]
['a', 'b', 'c']
>>> ct = gast.Name("ct", gast.Load(), None, None)
>>> for _, seed in leaf_seeds(loss, ct):
...     print(gast.unparse(seed).strip())
_s2s.item_of(_s2s.item_of(ct, 0), 0)
_s2s.item_of(_s2s.item_of(ct, 0), 1)
_s2s.item_of(ct, 1)
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import call
from s2s.codegen.templating import constant
from s2s.codegen.walking import copy_tree


def output_tree(loss: gast.Tuple) -> gast.Tuple:
    """The form of a returned tuple as written, for ``_s2s.check_cotangent_tree``: ``0`` for an
    item, a tuple of the same form for a tuple written there (a name holding a tuple at run
    time is one item: its cotangent is one tuple)."""
    return gast.Tuple(
        elts=[output_tree(e) if isinstance(e, gast.Tuple) else gast.Constant(0, None)
              for e in loss.elts],
        ctx=gast.Load(),
    )  # fmt: skip


def output_leaves(loss: gast.Tuple) -> list[gast.expr]:
    """The items of a returned tuple, a tuple written among them taken item by item, in order:
    the outputs whose cotangents ``_s2s.check_cotangent_tree`` hands back, one per leaf of
    :func:`output_tree`."""
    leaves: list[gast.expr] = []
    for element in loss.elts:
        leaves += output_leaves(element) if isinstance(element, gast.Tuple) else [element]
    return leaves


def leaf_seeds(loss: gast.Tuple, seed: gast.expr) -> list[tuple[gast.expr, gast.expr]]:
    """Each leaf of a returned tuple of tuples with its cotangent read from the cotangent
    tree ``seed`` as the caller built it, in code differentiated again: ``_s2s.item_of`` item
    by item (``None`` for an item or a whole inner tuple without one), a linear helper with
    rules of its own, so the next order takes the tree apart and puts it back."""
    pairs: list[tuple[gast.expr, gast.expr]] = []
    for i, element in enumerate(loss.elts):
        item = call("_s2s.item_of", copy_tree(seed), constant(i))
        if isinstance(element, gast.Tuple):
            pairs += leaf_seeds(element, item)
        else:
            pairs.append((element, item))
    return pairs


def holds_tuples(loss: gast.expr) -> bool:
    """Whether the returned ``loss`` is a tuple with a tuple written among its items."""
    return isinstance(loss, gast.Tuple) and any(isinstance(e, gast.Tuple) for e in loss.elts)
