"""The A-normal-form program every pass after ``normalize`` reads: one primitive per statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gast

from s2s.codegen.walking import walk


class Marker:
    """A named statement kind that is not a library call (a copy, a constant, an opaque value)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


COPY = Marker("copy")  # y = x
CONST = Marker("const")  # y = 3.0, y = np.pi: never active
OPAQUE = Marker("opaque")  # any other expression: never differentiated
ATTRIBUTE = Marker("attribute")  # x.shape, x.dtype, x.ndim: piecewise-constant metadata
SETITEM = Marker("setitem")  # x[key] = v: args (x, key, v), target x (the same array)
APPEND = Marker("append")  # xs.append(v): args (xs, v), target xs (the same list)
DEF = Marker("def")  # a nested def, lifted: its captured locals became keyword parameters
LOCAL_CALL = Marker("local call")  # a call to a nested def: differentiated by sub-derivative
ITEMS = Marker("items")  # p_0, p_1 = p for a tuple parameter p: one name per item
POP = Marker("pop")  # v = xs.pop() in a derivative's own code (its tape): args (xs,)


@dataclass
class Stmt:
    """One primitive: ``targets = expr``.

    Attributes:
        targets: the SSA names bound (empty for an expression statement).
        unpack: ``a, b = expr`` (several outputs) rather than a single binding.
        expr: the primal expression exactly as emitted (operands are atoms).
        op: the rule key: a numpy callable, ``operator.getitem``, a runtime function, an
            unresolved or user callable, or one of the markers above.
        args: positional argument atoms in the rule's order (method receivers first).
        kwargs: keyword argument atoms.
        node: the primal statement it comes from (for locations and comments).
        aug_of: for ``x op= y``, the SSA name of the ``x`` being updated.
    """

    targets: tuple[str, ...]
    expr: gast.expr
    op: Any
    args: list[gast.expr] = field(default_factory=list)
    kwargs: dict[str, gast.expr] = field(default_factory=dict)
    node: Any = None
    unpack: bool = False
    aug_of: str | None = None
    method: str | None = None  # ``x.sum()``: the method name; the receiver is ``args[0]``
    value_hint: Any = None  # a global read (``np``, ``SCALE``): its value at generation


@dataclass
class Branch:
    """``if test: body else: orelse`` (``test`` an atom); the primal sweep records the arm taken."""

    test: gast.expr
    body: list[Any]
    orelse: list[Any]
    node: Any = None


@dataclass
class Loop:
    """A ``for`` loop over ``range(...)`` (``target`` bound each iteration) or a ``while``
    loop (``test_body`` computes the atom ``test`` before each iteration). The primal sweep
    records the trip count; ``orelse`` is the ``for``/``else`` block."""

    target: str | None
    iterable: gast.expr | None
    test_body: list[Any]
    test: gast.expr | None
    body: list[Any]
    orelse: list[Any]
    node: Any = None


@dataclass
class Jump:
    """``break`` or ``continue``."""

    kind: str
    node: Any = None


def flatten(body: list[Any]) -> list[Stmt]:
    """Every primitive statement of a structured body, in program order."""
    out: list[Stmt] = []
    for item in body:
        if isinstance(item, Stmt):
            out.append(item)
        elif isinstance(item, Branch):
            out += flatten(item.body) + flatten(item.orelse)
        elif isinstance(item, Loop):
            out += flatten(item.test_body) + flatten(item.body) + flatten(item.orelse)
    return out


def has_control_flow(body: list[Any]) -> bool:
    """Branches, loops or mutation: then the sweeps keep a tape."""
    return any(isinstance(item, (Branch, Loop)) for item in body) or any(
        s.op is SETITEM or s.op is APPEND or s.op is POP for s in flatten(body)
    )


@dataclass
class Param:
    """A parameter of the primal: its name and kind (``inspect.Parameter`` kind names)."""

    name: str
    kind: str


@dataclass(eq=False)
class FunctionIR:
    """The normalized primal: parameters, statements, the returned atom(s) and name maps."""

    name: str
    params: list[Param]
    body: list[Stmt]
    returns: gast.expr
    return_node: Any
    original: dict[str, str]  # SSA name -> the name the user wrote
    taken: set[str]  # every name in use, to keep generated names from colliding
    temporaries: set[str] = field(default_factory=set)  # names normalize made up
    carried: set[str] = field(default_factory=set)  # names assigned inside branches or loops
    lists: set[str] = field(default_factory=set)  # Python lists built with .append
    contexts: list[Any] = field(default_factory=list)  # `with` blocks (codegen.contexts)
    written_globals: list[str] = field(default_factory=list)  # `global n; n += 1`
    renamed_lists: dict[str, str] = field(default_factory=dict)  # a list bound anew -> its name
    spellings: dict[str, str] = field(default_factory=dict)  # d_b -> d['b'] (for messages)

    def shown(self, name: str) -> str:
        """How the user wrote the value an SSA name holds: ``y`` for ``y_2``, ``d['b']`` for
        the name a local dict's entry became."""
        user = self.original.get(name, name)
        return self.spellings.get(user, user)

    @property
    def flat(self) -> list[Stmt]:
        """The primitive statements in program order (the body may nest branches and loops)."""
        return flatten(self.body)

    def names_read(self, stmt: Stmt) -> list[str]:
        """Names an expression reads (atoms and nested literal structures)."""
        return [n.id for n in walk(stmt.expr) if isinstance(n, gast.Name)]


def atom_names(node: gast.expr) -> list[str]:
    """The variable names inside an atom or literal structure of atoms."""
    kind = type(node)
    if kind is gast.Name and node.annotation is None:  # the usual atoms, without a walk
        return [node.id] if type(node.ctx) is gast.Load else []
    if kind is gast.Constant:
        return []
    parts = _flat_parts(node, kind)
    if parts is not None:  # a slice or a literal of plain atoms: the walk's order, without it
        return [p.id for p in parts if type(p) is gast.Name and type(p.ctx) is gast.Load]
    return [
        n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
    ]


def _flat_parts(node: gast.expr, kind: type) -> list | None:
    """The parts of a ``Slice`` (``lower``, ``upper``, ``step``) or the items of a ``Tuple``
    or ``List``, where each is ``None``, a constant or a name without annotation (a walk
    visits them in that order, and nothing under them); else ``None``."""
    if kind is gast.Slice:
        parts = [node.lower, node.upper, node.step]
    elif kind is gast.Tuple or kind is gast.List:
        parts = node.elts
    else:
        return None
    for part in parts:
        if not (part is None or type(part) is gast.Constant or (
                type(part) is gast.Name and part.annotation is None)):  # fmt: skip
            return None
    return parts


class NameAllocator:
    """Deterministic fresh names that never collide with a name already in use."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def fresh(self, base: str, always_number: bool = False) -> str:
        base = base.strip("_") or "t"
        if not always_number and base not in self.taken:
            self.taken.add(base)
            return base
        k = 1 if always_number else 2
        while f"{base}_{k}" in self.taken:
            k += 1
        name = f"{base}_{k}"
        self.taken.add(name)
        return name


def is_literal(atom: gast.expr) -> bool:
    """A number written in the source: ``2.0``, ``-1``."""
    if isinstance(atom, gast.UnaryOp) and isinstance(atom.op, (gast.USub, gast.UAdd)):
        atom = atom.operand
    return isinstance(atom, gast.Constant)
