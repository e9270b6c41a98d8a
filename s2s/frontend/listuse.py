"""List uses: what s2s refuses of the lists a function makes, and loops over dicts and sets.

A list the function makes is built with ``.append`` and read whole or by index; an alias of
it, an item assigned, ``+=``, ``+`` or ``*`` of it, or a function that may change it would
change it where s2s does not follow, so each is refused at its line with advice. A loop over
a dict or a set is refused too: loops are replayed by position.

>>> import gast
>>> never = lambda call: False  # no call changes a list it is given
>>> list_misuse(gast.parse("xs + [1.0]").body[0].value, {"xs"}, never)
'a list joined or repeated with `+` or `*`'
>>> print(list_misuse(gast.parse("xs.append(1.0)").body[0].value, {"xs"}, never))
None
"""

from __future__ import annotations

from collections.abc import Callable

import gast

from s2s.codegen.walking import statements_in, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.assignments import operator_text
from s2s.frontend.parse import Primal
from s2s.frontend.rebinding import list_rebound
from s2s.frontend.resolve import resolve_chain
from s2s.frontend.structure import runtime_call


def list_operands_as_arrays(primal: Primal, tree: gast.FunctionDef, lists: set[str]) -> None:
    """In s2s's own code (a derivative differentiated again), an arithmetic operand that is
    one of ``lists`` becomes ``_np.asarray(xs)``, in place: a rule's template put a list of the
    user's (``xs``, its tangent ``xs_dot`` or its cotangent) where it reads an array, and the
    operation ran as numpy's on the array of it (the other operand an array), never as a
    list's join or repetition. ``np.asarray`` of a list has rules, so the next order follows
    the list item by item."""
    for node in walk(tree):
        if not isinstance(node, gast.BinOp):
            continue
        for side in ("left", "right"):
            operand = getattr(node, side)
            if isinstance(operand, gast.Name) and operand.id in lists:
                numpy = gast.Name("_np", gast.Load(), None, None)
                asarray = gast.Attribute(value=numpy, attr="asarray", ctx=gast.Load())
                asarray.s2s_target = resolve_chain(primal.func, "_np", ("asarray",))
                setattr(node, side, gast.copy_location(
                    gast.Call(func=asarray, args=[operand], keywords=[]), operand))  # fmt: skip


def check_list_uses(
    primal: Primal,
    tree: gast.FunctionDef,
    lists: set[str],
    list_changing_call: Callable[[gast.Call], bool],
    generated: bool,
) -> None:
    """Refuse a loop over a dict or a set, and a use of one of ``lists`` (the names the
    function binds to lists) that s2s does not follow. ``list_changing_call(call)``: whether a
    call may change a list it is given; ``generated``: s2s's own code (a derivative's tape
    and tangent lists, differentiated again).

    Raises:
        UnsupportedSyntaxError: at the loop or the use, with advice.
    """
    mappings = {
        t.id
        for node in statements_in(tree)
        if isinstance(node, gast.Assign) and is_mapping(node.value)
        for t in node.targets
        if isinstance(t, gast.Name)
    }
    records = {  # s2s's own code: names of shapes records, `like_1 = _s2s.like(ys)`
        t.id
        for node in (walk(tree) if generated else ())
        if isinstance(node, gast.Assign) and runtime_call(node.value, "like")
        for t in node.targets
        if isinstance(t, gast.Name)
    }
    for node in walk(tree):
        if isinstance(node, (gast.For, gast.comprehension)) and (
            is_mapping(node.iter)
            or (isinstance(node.iter, gast.Name) and node.iter.id in mappings)
        ):
            raise UnsupportedSyntaxError(
                "a loop over a dict or a set is not supported (loops are replayed by "
                "position, and these have no positions)",
                primal.where(node),
                "loop over a list of them instead: `for k in list(d)`, "
                "`for v in list(d.values())`",
            )
        problem = list_rebound(node, lists, generated, records)
        if problem is None:
            problem = list_misuse(node, lists, list_changing_call, generated)
        if problem is None and isinstance(node, gast.Assign):
            value, targets = node.value, node.targets
            if isinstance(value, gast.Name) and value.id in lists and not generated:
                # (a derivative's code names a comprehension's list once, `ys = listcomp_1`,
                # then only pops it: its tangent list is shared the same way)
                shown = getattr(targets[0], "s2s_shown", None)  # d['h'] of a local dict d
                problem = (f"putting the list `{value.id}` in a local dict (`{shown} = "
                           f"{value.id}`), a second name for it," if shown else
                           f"a second name for the list `{value.id}` (`{targets[0].id} = "
                           f"{value.id}`)" if isinstance(targets[0], gast.Name) else
                           f"unpacking the list `{value.id}` into names")  # fmt: skip
            elif not generated and any(isinstance(t, gast.Subscript) and isinstance(
                    t.value, gast.Name) and t.value.id in lists for t in targets):  # fmt: skip
                problem = "assigning into a list's items"
        if problem is None and isinstance(node, gast.AugAssign):
            if isinstance(node.target, gast.Name) and node.target.id in lists:
                problem = f"`{node.target.id} {operator_text(node.op)}= ...` on a list"
        if problem is not None:
            advice = LIST_ADVICE
            if problem.startswith("differentiating again"):
                advice = ("take this derivative forward over forward (s2s.jvp of s2s.jvp), or "
                          "make the list an array (np.stack) before the loop rebinds it")
                if getattr(primal.func, "__name__", "").startswith("jvp_"):  # a jvp's own code
                    advice = ("take it in reverse mode (s2s.hvp, s2s.grad of s2s.grad), or "
                              "make the list an array (np.stack) before the loop rebinds it")
            if problem.startswith("putting the list"):
                listed = node.value.id
                advice = (f"read the list by its own name (`{listed}[0]`), or put an array made "
                          f"from it in the dict (`np.stack({listed})`)")  # fmt: skip
            raise UnsupportedSyntaxError(f"{problem} is not supported", primal.where(node), advice)


LIST_ADVICE = (
    "build lists with `xs = [...]` and `xs.append(v)` only, and pass them to numpy "
    "(np.stack, np.array, np.concatenate), to sum(), or index them"
)


def list_misuse(node: gast.AST, lists: set[str], user_function, pops: bool = False) -> str | None:
    """What is wrong with a use of a list s2s does not differentiate, or ``None``.

    ``lists`` are the names the function binds to lists; ``user_function(call)`` tells whether
    a call may change a list it is given (a nested def, or a function of the user's that
    changes its parameter; one that only reads it gets the list as a tuple);
    ``pops``: ``xs.pop()`` is allowed, and so is ``tape.append(ys)`` of a list ``ys`` (a
    derivative's own tape, differentiated again: it tapes a list built anew on each trip of a
    loop just before binding the name to the new list, so the taped list no longer changes).
    """

    def is_list(e: gast.AST) -> bool:
        return isinstance(e, (gast.List, gast.ListComp)) or (
            isinstance(e, gast.Name) and e.id in lists
        )

    if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
        receiver = node.func.value
        if isinstance(receiver, gast.Name) and receiver.id in lists:
            if node.func.attr == "pop" and pops and not node.args and not node.keywords:
                return None
            if node.func.attr != "append":
                return f"`{receiver.id}.{node.func.attr}(...)`, which s2s does not follow,"
            item = node.args[0] if node.args else None
            if isinstance(item, gast.ListComp) or (isinstance(item, gast.Name) and is_list(item)
                                                   and not pops):
                return f"`{receiver.id}` would hold a list that can still change (a list of lists)"
    if isinstance(node, gast.Call) and user_function(node):
        if any(is_list(a) for a in node.args) or any(is_list(k.value) for k in node.keywords):
            return "a list passed to your own function, which might change it in place"
    if isinstance(node, gast.BinOp) and (is_list(node.left) or is_list(node.right)):
        if isinstance(node.op, (gast.Add, gast.Mult)):
            return "a list joined or repeated with `+` or `*`"
        symbol = _SYMBOLS.get(type(node.op), "an operator")  # `M @ [a, b]`: no join
        return f"a list used as an operand of `{symbol}` (numpy would make an array of it)"
    return None


_SYMBOLS = {gast.MatMult: "@", gast.Sub: "-", gast.Div: "/", gast.FloorDiv: "//",
            gast.Pow: "**", gast.Mod: "%"}  # fmt: skip


def is_mapping(node: gast.expr) -> bool:
    """A dict or set literal, comprehension or constructor, or ``d.keys()/values()/items()``."""
    if isinstance(node, (gast.Dict, gast.Set, gast.DictComp, gast.SetComp)):
        return True
    if isinstance(node, gast.Call):
        func = node.func
        if isinstance(func, gast.Name) and func.id in ("dict", "set", "frozenset"):
            return True
        return isinstance(func, gast.Attribute) and func.attr in ("keys", "values", "items")
    return False
