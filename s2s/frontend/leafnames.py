"""Names and comments for a container argument's leaves: each leaf becomes a parameter named
after its path (``params_w1``, ``layers_0_w``), and the generated code says which is which."""

from __future__ import annotations

import re
from typing import Any

from s2s.runtime.trees import DATACLASS, LEAF, NAMEDTUPLE, TreeDef


def leaf_names(param: str, treedef: TreeDef, taken: set[str]) -> list[str]:
    """Readable parameter names for the leaves: ``params_w1``, ``layers_0_w``; unique among
    ``taken`` (which grows)."""
    names = []
    for path in treedef.paths():
        base = "_".join([param, *(re.sub(r"\W", "_", str(k)) for k in path)])
        name, n = base, 1
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names.append(name)
    return names


def describe(containers: dict[str, tuple[TreeDef, list[str]]]) -> list[str]:
    """Comment lines for the generated code: which parameter holds which leaf.

    >>> from s2s.runtime.trees import flatten
    >>> t = flatten({"w": 1.0, "b": [2.0]})[1]
    >>> describe({"p": (t, ["p_w", "p_b_0"])})
    ["p (a dict) comes leaf by leaf: p_w is p['w'], p_b_0 is p['b'][0]"]
    """
    lines = []
    for param, (treedef, names) in containers.items():
        reads = [
            f"{leaf} is {param}" + "".join(f"[{k!r}]" if treedef_kind != "field" else f".{k}"
                                           for k, treedef_kind in path)
            for leaf, path in zip(names, _paths(treedef))
        ]  # fmt: skip
        text = f"{param} (a {treedef.kind}) comes leaf by leaf: " + ", ".join(reads)
        while len(text) > 92:
            cut = text.rfind(", ", 0, 92)
            if cut < 0:
                break
            lines.append(text[: cut + 1])
            text = "  " + text[cut + 2 :]
        lines.append(text)
    return lines


def _paths(treedef: TreeDef) -> list[list[tuple[Any, str]]]:
    """Each leaf's path as (key, "field" or "key") steps."""
    if treedef.kind == LEAF:
        return [[]]
    step = "field" if treedef.kind in (DATACLASS, NAMEDTUPLE) else "key"
    return [[(k, step), *p] for k, c in zip(treedef.keys, treedef.children) for p in _paths(c)]
