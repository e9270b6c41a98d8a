"""Comprehensions (and ``lambda``) while a container argument is lowered
(:mod:`s2s.frontend.containers`): each keeps Python's scoping.

A comprehension with one ``for`` over a container (``[np.sum(w) for w in params.values()]``)
is written out as the list of its items, known at specialization; ``sum`` of one becomes
``a + b + ...``. Any other comprehension stays, its reads rewritten where they run: the first
iterable in the enclosing scope (``q`` in ``sum(q ** 2 for q in p["W"])`` runs over the
argument's leaf ``p_W``), each later part where the targets before it are bound, and a name
those targets bind (or a ``lambda``'s parameter) stands for itself there, never for the
container that has its name outside (``sum(p ** 2 for p in p["W"])``).

``lowering`` below is the container lowering (``containers._Lowering``): its ``expr``
rewrites an expression under ``env`` (names to containers, leaves and constants), its
``iteration`` gives the items a loop over an expression visits (``None`` if not a loop over a
container), ``bind_target`` binds a loop target to an item, ``static`` gives a value known at
specialization and ``where`` locates a node for messages.
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.codegen.walking import copy_tree, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.keys import known_condition
from s2s.frontend.loopitems import located

SCOPES = (gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp, gast.Lambda)


def scoped(lowering: Any, node: gast.expr, env: dict) -> gast.expr:
    """``node`` (one of :data:`SCOPES`), in place, its reads of containers rewritten in the
    scopes where they run (module docstring); returns ``node``."""
    inner = dict(env)
    if isinstance(node, gast.Lambda):  # defaults run where the lambda is made
        node.args.defaults = [lowering.expr(v, env) for v in node.args.defaults]
        node.args.kw_defaults = [v if v is None else lowering.expr(v, env)
                                 for v in node.args.kw_defaults]  # fmt: skip
        _shadow(node.args, inner)
        node.body = lowering.expr(node.body, inner)
        return node
    for generator in node.generators:
        generator.iter = lowering.expr(generator.iter, inner)  # the first: enclosing scope
        _shadow(generator.target, inner)
        generator.ifs = [lowering.expr(c, inner) for c in generator.ifs]
    for field in ("elt", "key", "value"):
        if isinstance(getattr(node, field, None), gast.expr):
            setattr(node, field, lowering.expr(getattr(node, field), inner))
    return node


def _shadow(binder: gast.AST, env: dict) -> None:
    """The names ``binder`` binds are no longer ``env``'s containers, leaves or constants."""
    for n in walk(binder):
        if isinstance(n, gast.Name):
            env.pop(n.id, None)


def comprehension(lowering: Any, node: gast.expr, env: dict) -> list[gast.expr] | None:
    """The items a list comprehension or generator with one ``for`` over a container makes
    (the ones its ``if`` keeps), each its element rewritten for that item; ``None`` if it is
    no such comprehension.

    Raises:
        UnsupportedSyntaxError: an ``if`` not decided by keys, positions and constants.
    """
    if len(node.generators) != 1:
        return None
    gen = node.generators[0]
    items = lowering.iteration(gen.iter, env)
    if items is None:  # [p[k] for k in ("W", "v")]: the keys known now
        keys = lowering.keyed_loop(gen.target, gen.iter, [node.elt, *gen.ifs], env)
        items = None if keys is None else [lowering.constant(k) for k in keys]
    if items is None:
        return None
    out = []
    for item in items:
        inner = dict(env)
        lowering.bind_target(gen.target, item, inner, node)
        keep = [known_condition(c, lambda n, e=inner: lowering.static(n, e)) for c in gen.ifs]
        if None in keep:
            raise UnsupportedSyntaxError(
                "a comprehension over a parameter container with an `if` s2s cannot "
                "decide from the keys and positions (it writes the items it keeps out "
                "when it specializes, knowing the keys, positions and the constants "
                "written in the condition)",
                lowering.where(node),
                "test keys or positions only (`if k.startswith('w')`, `if i > 0`), or "
                "write the items you want explicitly",
            )
        if all(keep):
            out.append(lowering.expr(copy_tree(node.elt), inner))
    return out


def comprehension_sum(lowering: Any, node: gast.expr, env: dict) -> gast.expr | None:
    """``sum(np.sum(w ** 2) for w in params.values())`` as ``a + b + ...``; ``None`` for
    another argument of ``sum``."""
    if not isinstance(node, (gast.ListComp, gast.GeneratorExp)):
        return None
    elts = comprehension(lowering, node, env)
    if not elts:
        return None
    total = elts[0]
    for e in elts[1:]:
        total = located(gast.BinOp(left=total, op=gast.Add(), right=e), node)
    return total
