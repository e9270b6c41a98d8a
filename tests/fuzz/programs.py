"""Random well-typed numpy programs, as source text, drawn by hypothesis.

A program is a module with a function ``f`` (and perhaps helpers): straight-line code over the
operations of :mod:`fuzz.ops` and the rule rows of :mod:`fuzz.rowleaves`, with random shapes
and broadcasting, branches on data, ``for`` and ``while`` loops with carried values, calls to
helper functions (module-level and nested), tuples, writes into local arrays, lists, augmented
assignments, several outputs, in float32 or float64; and the constructs of
:mod:`fuzz.constructs` (``with np.errstate``, ``try``, functions as values, ``np.add.at``,
reductions with ``where=``, splits joined again, dict parameters).

The generator runs every statement on concrete float64 arguments as it writes it, so each
operation can keep its input in its rule's domain and away from kinks, each branch threshold is
set at a margin from the value it compares, and a statement whose value would overflow is drawn
again. Shrinking (hypothesis) removes statements and simplifies choices: every optional construct
is drawn so that its simplest choice leaves it out.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from fuzz import constructs, ops
from fuzz.rowleaves import leaves
from s2s import registry

SHAPES = [(3,), (2, 3), (4,), (3, 4), (), (2, 3, 4), (1, 3), (4, 1), (3, 3), (2,)]
OUTPUTS = ("scalar", "array", "tuple", "aux")
LIMIT = 1e4  # largest magnitude a value may reach (a statement going beyond is drawn again)


class Draw:
    """Choices drawn from hypothesis; each shrinks towards its first option or towards False."""

    def __init__(self, draw: Any) -> None:
        self.fn = draw  # hypothesis's draw function (inside a composite strategy)

    def int(self, lo: int, hi: int) -> int:
        return self.fn(st.integers(lo, hi))

    def choice(self, options: list) -> Any:
        return options[self.int(0, len(options) - 1)]

    def chance(self, p: float) -> bool:
        return self.int(0, 999) >= 1000 - int(1000 * p)

    def recent(self, names: list[str]) -> str:
        """A name, most likely one of the latest (shrinks towards the latest)."""
        return names[len(names) - 1 - min(self.int(0, len(names) - 1), self.int(0, 3))]


@dataclass
class Param:
    """A parameter of ``f`` and its float64 value (cast to the program's dtype when run)."""

    name: str
    value: Any
    diff: bool  # a float value that may be in wrt


@dataclass
class Program:
    """A generated program: its source, the float64 arguments of ``f`` (cast to ``dtype`` when
    run), what to differentiate and how it ends."""

    source: str
    args: list[Any]
    wrt: Any  # an int, a name, or a tuple of them
    output: str  # one of OUTPUTS
    dtype: str  # "float64", "float32" or "mixed" (float32 at even positions)

    def __repr__(self) -> str:
        from fuzz.report import regression_test

        return "\n" + regression_test(self, "a generated program")


def valid(x: Any) -> bool:
    """A value a statement may produce: finite, moderate floats (ints and bools are fine)."""
    if isinstance(x, tuple):
        return all(valid(v) for v in x)
    if isinstance(x, (bool, int, np.integer, np.bool_)):
        return True
    if not isinstance(x, (float, np.floating, np.ndarray)):
        return False
    a = np.asarray(x)
    if a.dtype.kind in "biu":
        return True
    if a.dtype.kind != "f" or a.size > 96:
        return False
    return bool(np.all(np.isfinite(a)) and (a.size == 0 or np.max(np.abs(a)) < LIMIT))


GAP = 1e-3  # least distance between the float entries of a piecewise-constant row's arguments


def untied(rng: np.random.Generator, values: list[Any]) -> list[Any] | None:
    """A piecewise-constant row's arguments, moved off the ties its rule test wants.

    Those rows draw coarse integers (``coarse``) so that comparisons meet equal entries, where
    the exact gradient is the convention of docs/semantics.md. A central difference straddles
    such a tie: the function jumps there, and two ties can cancel each other's jumps (``x * (x >
    y)`` at ``x == y == 2`` and at ``x == y == -2``), leaving a smooth-looking, wrong slope that
    the kink check misses. Each float entry moves by a random amount in [-0.3, 0.3]; the float
    entries of all the arguments, and 0, end at least :data:`GAP` apart (``None`` if twenty
    draws fail). Non-float arguments are kept."""
    for _ in range(20):
        moved = []
        for v in values:
            if isinstance(v, float):
                v = v + float(rng.uniform(-0.3, 0.3))
            elif is_float(v):
                v = (v + rng.uniform(-0.3, 0.3, np.shape(v))).astype(np.asarray(v).dtype)
            moved.append(v)
        entries = [np.ravel(np.asarray(v, dtype=np.float64)) for v in moved if is_float(v)]
        flat = np.sort(np.concatenate(entries + [np.zeros(1)]))
        flat = flat[np.isfinite(flat)]
        if flat.size < 2 or np.min(np.diff(flat)) >= GAP:
            return moved
    return None


def is_float(x: Any) -> bool:
    return isinstance(x, (float, np.floating)) or (
        isinstance(x, np.ndarray) and x.dtype.kind == "f"
    )


class Scope:
    """One function body being written: its lines, its concrete values, its live floats."""

    def __init__(
        self,
        gen: Generator,
        ns: dict[str, Any],
        floats: list[str],
        depth: int = 1,
        function: str = "f",
    ):
        self.function = function  # "f" or "helper": only f may return early
        self.gen = gen
        self.draw = gen.draw
        self.ns = ns
        self.floats = floats
        self.lines: list[tuple[int, str]] = []
        self.depth = depth

    # -- writing and running statements --------------------------------------------------------
    def run(self, text: str, ns: dict[str, Any] | None = None) -> bool:
        """Run ``text`` (a statement, maybe compound) on the concrete values; False if it fails
        or produces an invalid value (then ``ns`` is left as it was)."""
        ns = self.ns if ns is None else ns
        trial = dict(ns)
        trial.update(self.gen.functions)
        try:
            with np.errstate(all="raise"):
                exec(compile(textwrap.dedent(text), "<fuzz>", "exec"), trial)
        except Exception:
            return False
        changed = {k: v for k, v in trial.items() if k not in ns or v is not ns[k]}
        if not all(valid(v) for k, v in changed.items() if k != "__builtins__" and _value(v)):
            return False
        ns.update(trial)
        return True

    def env(self) -> dict[str, Any]:
        """The concrete values, with every helper defined so far (for ``eval``)."""
        return {**self.ns, **self.gen.functions}

    def emit(self, text: str, depth: int | None = None) -> None:
        depth = self.depth if depth is None else depth
        for line in text.split("\n"):
            self.lines.append((depth, line))

    def fresh(self, base: str = "v") -> str:
        return self.gen.fresh(base)

    def pick(self, kind: str = "float") -> str:
        return self.draw.recent(self.floats)

    # -- expressions -----------------------------------------------------------------------------
    def expression(self, pool: list[ops.Op] | None = None) -> str | None:
        """The text of a random operation on live floats, valid on the concrete values."""
        pool = pool or self.gen.op_pool
        for _ in range(8):
            op = self.draw.choice(pool)
            names = [self.pick() for _ in range(op.arity)]
            text = op.make(self, names)
            if text is None:
                continue
            try:
                with np.errstate(all="raise"):
                    result = eval(text, self.env())
            except Exception:
                continue
            if is_float(result) and valid(result):
                self.gen.used.add(op.key)
                return text
        return None

    def same_shape(self, target: str) -> str | None:
        """An expression with exactly ``target``'s shape and kind, reading ``target``."""
        want = np.shape(self.ns[target])
        for _ in range(8):
            if self.draw.chance(0.5):
                op = self.draw.choice(self.gen.unary_pool)
                text = op.make(self, [target])
            else:
                op = self.draw.choice(self.gen.binary_pool)
                text = op.make(self, [target, self.pick()])
            if text is None:
                continue
            try:
                with np.errstate(all="raise"):
                    result = eval(text, self.env())
            except Exception:
                continue
            if is_float(result) and valid(result) and np.shape(result) == want:
                self.gen.used.add(op.key)
                return text
        return None

    def assign(self, text: str | None, base: str = "v") -> str | None:
        if text is None:
            return None
        target = self.fresh(base)
        statement = f"{target} = {text}"
        if not self.run(statement):
            return None
        self.emit(statement)
        self.floats.append(target)
        return target

    # -- items -----------------------------------------------------------------------------------
    def item(self) -> None:
        kinds = [
            self.statement,
            self.statement,
            self.leaf,
            self.branch,
            self.for_loop,
            self.helper_call,
            self.while_loop,
            self.local_writes,
            self.tuple_use,
            self.list_loop,
            self.augmented,
            self.nested_def,
            self.ternary,
            *(lambda item=item: item(self) for item in constructs.ITEMS),
        ]
        self.draw.choice(kinds)()

    def inner_item(self) -> None:
        """An item inside a loop body: no new parameters, loops nested at most twice."""
        kinds = [self.statement, self.statement, self.branch, self.ternary, self.augmented]
        if self.gen.nesting < 2:  # (no tuples: a name bound to a tuple in a loop is refused)
            kinds += [self.for_loop, self.helper_call]
        self.draw.choice(kinds)()

    def statement(self) -> None:
        self.assign(self.expression())

    def leaf(self) -> None:
        """A rule row on fresh parameters drawn from its domain."""
        leaf = self.draw.choice(list(leaves()))
        rng = self.gen.rng
        values = [arg.draw(rng) for arg in leaf.row.inputs]
        if registry.lookup(leaf.row.key).kind == registry.PIECEWISE_CONSTANT:
            values = untied(rng, values)
            if values is None:
                return
        names = []
        for arg, value in zip(leaf.row.inputs, values):
            name = self.gen.param(value, arg.diff and is_float(value), f"r{len(self.gen.params)}")
            if arg.sym:  # functions of one triangle: differentiate through the symmetric part
                sym = self.fresh("sym")
                self.emit(f"{sym} = ({name} + np.swapaxes({name}, -1, -2)) / 2.0")
                self.ns[sym] = (value + np.swapaxes(value, -1, -2)) / 2.0
                name = sym
            names.append(name)
        if leaf.helper is not None:
            self.gen.add_helper(leaf.helper)
        text = leaf.expr.format(*names)
        try:
            result = eval(text, self.env())
        except Exception:
            return
        if is_float(result) and valid(result):
            self.gen.used.add(leaf.row.key)
            self.assign(text, "leaf")

    def condition(self) -> tuple[str, bool] | None:
        """A data-dependent condition at a margin from its threshold, and whether it holds."""
        x = self.pick()
        v = np.asarray(self.ns[x], dtype=np.float64)
        if v.size == 0:
            return None
        form = self.draw.choice(["sum", "index", "mean", "any"])
        if form == "index" and v.ndim == 1:
            text, actual = f"{x}[0]", float(v[0])
        elif form == "mean":
            text, actual = f"np.mean({x})", float(np.mean(v))
        elif form == "any":
            threshold = round(float(np.max(v)) + self.draw.choice([-0.25, 0.25]), 3)
            if not ops.far_from(v, [threshold]):
                return None
            return f"np.any({x} > {threshold})", bool(np.any(v > threshold))
        else:
            text, actual = (f"np.sum({x})", float(np.sum(v))) if v.ndim else (x, float(v))
        offset = self.draw.choice([0.5, -0.5, 0.1, -0.1])
        threshold = round(actual + offset, 3)
        return f"{text} > {threshold}", actual > threshold

    def branch(self) -> None:
        """``if``/``elif``/``else`` on data: every arm binds the same name, same shape."""
        cond = self.condition()
        first = self.expression(self.gen.elementwise_pool + self.gen.op_pool)
        if cond is None or first is None:
            return
        target = self.fresh("y")
        shape_ = np.shape(eval(first, self.env()))
        arms = [first]
        for _ in range(self.draw.int(1, 2)):
            other = self._variant(first, shape_)
            if other is None:
                return
            arms.append(other)
        text, holds = cond
        conds = [text]
        if len(arms) == 3:
            second = self.condition()
            if second is None:
                return
            conds.append(second[0])
        lines = [f"if {conds[0]}:", f"    {target} = {arms[0]}"]
        if len(arms) == 3:
            lines += [f"elif {conds[1]}:", f"    {target} = {arms[1]}"]
        lines += ["else:", f"    {target} = {arms[-1]}"]
        statement = "\n".join(lines)
        if self.run(statement):
            self.emit(statement)
            self.floats.append(target)

    def _variant(self, expr: str, shape_: tuple) -> str | None:
        """Another expression of ``expr``'s shape: a unary operation around it, or a live value
        of the same shape."""
        same = [n for n in self.floats if np.shape(self.ns[n]) == shape_]
        if same and self.draw.chance(0.5):
            return f"{self.draw.recent(same)} * 0.5"
        holder = self.fresh("t")
        self.ns[holder] = eval(expr, self.env())
        try:
            text = self.same_shape(holder)
        finally:
            del self.ns[holder]
        return None if text is None else text.replace(holder, f"({expr})")

    def ternary(self) -> None:
        cond = self.condition()
        body = self.expression(self.gen.elementwise_pool)
        if cond is None or body is None:
            return
        other = self._variant(body, np.shape(eval(body, self.env())))
        if other is not None:
            self.assign(f"{body} if {cond[0]} else {other}", "c")

    def carried(self) -> str | None:
        """A fresh variable for a loop to carry (a copy of a live float)."""
        source = self.pick()
        return self.assign(f"{source} * 1.0", "h")

    def loop_body(self, carry: str, extra: dict[str, Any], n_statements: int) -> list[str] | None:
        """Lines updating ``carry`` (same shape), checked on the first iteration's values."""
        ns = self.env()
        ns.update(extra)
        inner = Scope(self.gen, ns, list(self.floats) + list(extra), 0, self.function)
        self.gen.nesting += 1
        try:
            for _ in range(n_statements - 1):
                inner.inner_item()
        finally:
            self.gen.nesting -= 1
        update = inner.same_shape(carry)
        if update is None:
            return None
        return [text for _, text in inner.lines] + [f"{carry} = {update}"]

    def for_loop(self) -> None:
        carry = self.carried()
        if carry is None:
            return
        form = self.draw.choice(["range", "rows", "enumerate", "zip", "helper"])
        rows_of = [n for n in self.floats if np.ndim(self.ns[n]) >= 1 and 1 <= len(self.ns[n]) <= 4]
        if form in ("rows", "enumerate", "zip") and rows_of:
            x = self.draw.recent(rows_of)
            row = self.fresh("row")
            extra = {row: self.ns[x][0]}
            header = f"for {row} in {x}:"
            if form == "enumerate":
                k = self.fresh("k")
                extra[k] = 0
                header = f"for {k}, {row} in enumerate({x}):"
            elif form == "zip":
                others = [n for n in rows_of if len(self.ns[n]) == len(self.ns[x])]
                y = self.draw.recent(others)
                row2 = self.fresh("row")
                extra[row2] = self.ns[y][0]
                header = f"for {row}, {row2} in zip({x}, {y}):"
        else:
            k = self.fresh("k")
            n = self.draw.int(1, 4)
            top = self.ns is self.gen.ns
            bound = self.gen.count_param(n) if top and self.draw.chance(0.2) else str(n)
            header = f"for {k} in range({bound}):"
            extra = {k: 0}
        before: list[str] = []
        if form == "helper":
            second = self.carried() if self.draw.chance(0.4) else None
            args = [carry] + ([second] if second else []) + [self.pick()]
            helper = self.gen.helper(self, args, preserve=True, pair=second is not None)
            if helper is None:
                return
            body = [f"{carry}{', ' + second if second else ''} = {helper}"]
        else:
            body = self.loop_body(carry, extra, self.draw.int(1, 3))
        if body is None:
            return
        body = self._jumps(body, carry)
        written = None
        if form == "range" and bound.isdigit() and self.draw.chance(0.3):  # rows of an array
            written = self.fresh("buf")
            before.append(f"{written} = np.zeros(({bound},) + np.shape({carry}))")
            body = body + [f"{written}[{k}] = {carry}"]
        total = None
        if self.draw.chance(0.25):  # a running total
            total = self.fresh("total")
            before.append(f"{total} = 0.0")
            body = body + [f"{total} = {total} + np.sum({carry} * {carry}) * 0.5"]
        statement = "\n".join(before + [header] + ["    " + line for line in body])
        if self.draw.chance(0.1):
            statement += f"\nelse:\n    {carry} = {carry} * 2.0"
        if self.run(statement):
            self.emit(statement)
            self.floats += [n for n in (written, total) if n is not None]

    def _jumps(self, body: list[str], carry: str) -> list[str]:
        """Maybe a ``break`` or ``continue`` on data at the end or start of the body."""
        if not self.draw.chance(0.25):
            return body
        v = np.asarray(self.ns[carry], dtype=np.float64)
        threshold = round(float(np.sum(v)) + self.draw.choice([1.5, -1.5, 3.0]), 3)
        jumps = ["break", "continue"]
        if self.function == "f" and self.gen.output == "scalar":
            jumps.append("return")
        jump = self.draw.choice(jumps)
        if jump == "continue":
            return [f"if np.sum({carry}) > {threshold}:", "    continue"] + body
        if jump == "return":  # an early return from inside the loop
            return body + [f"if np.sum({carry}) > {threshold}:", f"    return np.sum({carry})"]
        return body + [f"if np.sum({carry}) > {threshold}:", "    break"]

    def while_loop(self) -> None:
        carry = self.carried()
        if carry is None:
            return
        k = self.fresh("k")
        self.emit(f"{k} = 0")
        self.ns[k] = 0
        n = self.draw.int(1, 4)
        body = self.loop_body(carry, {}, self.draw.int(1, 2))
        if body is None:
            return
        cond = f"{k} < {n}"
        if self.draw.chance(0.4):  # also stop on data, at a margin from every step's value
            sums = self._while_sums(body, carry, n)
            if sums is not None:
                stop = self.draw.int(1, len(sums) - 1) if len(sums) > 1 else 0
                earlier = sums[:stop]
                if stop and all(abs(s - sums[stop]) > 0.05 for s in earlier):
                    low, high = min(earlier), max(earlier)
                    if sums[stop] > high:
                        cond = f"{k} < {n} and np.sum({carry}) < {round(sums[stop] - 0.025, 4)}"
                    elif sums[stop] < low:
                        cond = f"{k} < {n} and np.sum({carry}) > {round(sums[stop] + 0.025, 4)}"
        if cond == f"{k} < {n}":
            body = self._jumps(body, carry)
        body = [f"{k} = {k} + 1"] + body  # first: no `continue` can skip it
        lines = [f"while {cond}:"] + ["    " + line for line in body]
        statement = "\n".join(lines)
        if self.run(statement):
            self.emit(statement)

    def _while_sums(self, body: list[str], carry: str, n: int) -> list[float] | None:
        """``np.sum(carry)`` before each of the first ``n`` iterations (and after the last)."""
        ns = self.env()
        sums = [float(np.sum(ns[carry]))]
        for _ in range(n):
            if not self.run("\n".join(body), ns):
                return None
            sums.append(float(np.sum(ns[carry])))
        return sums

    def helper_call(self) -> None:
        args = [self.pick() for _ in range(self.draw.int(1, 2))]
        call = self.gen.helper(self, args, preserve=False)
        if call is None:
            return
        result = eval(call, self.env())
        if isinstance(result, tuple):
            a, b = self.fresh("u"), self.fresh("u")
            statement = f"{a}, {b} = {call}"
            if self.run(statement):
                self.emit(statement)
                self.floats += [a, b]
        else:
            self.assign(call, "u")

    def nested_def(self) -> None:
        """A ``def`` inside ``f`` that reads a value of ``f`` (a captured value)."""
        captured, arg = self.pick(), self.pick()
        inner = self.fresh("inner")
        z = self.fresh("z")
        ns = self.env()
        ns[z] = self.ns[arg]
        scope = Scope(self.gen, ns, [z, captured], depth=0)
        body = scope.expression(self.gen.binary_pool)
        if body is None or z not in body:
            return
        statement = f"def {inner}({z}):\n    return {body}"
        if self.run(statement):
            self.emit(statement)
            self.assign(f"{inner}({arg})", "w")

    def local_writes(self) -> None:
        """An array the function makes, then written into (items, slices, in loops)."""
        x = self.pick()
        v = np.asarray(self.ns[x])
        if v.ndim == 0 or v.shape[0] > 4:
            return
        buf = self.fresh("buf")
        form = self.draw.choice(["zeros", "copy", "zeros_dtype"])
        n = v.shape[0] + 1
        if form == "copy":
            make = f"{buf} = {x} * 1.0"
            rows_shape = v.shape[1:]
            n = v.shape[0]
        else:
            dtype = f", dtype={x}.dtype" if form == "zeros_dtype" else ""
            make = f"{buf} = np.zeros({(n,) + v.shape[1:]}{dtype})"
            rows_shape = v.shape[1:]
        lines = [make]
        sources = [n_ for n_ in self.floats if np.shape(self.ns[n_]) == rows_shape]
        for _ in range(self.draw.int(1, 3)):
            form = self.draw.choice(["item", "slice", "add", "loop"])
            src = self.draw.recent(sources) if sources else None
            if form == "item" and src:
                lines.append(f"{buf}[{self.draw.int(0, n - 1)}] = {src}")
            elif form == "slice" and n >= 2:
                row = self.draw.int(0, v.shape[0] - 1)
                lines.append(f"{buf}[1:] = {buf}[1:] * 0.5 + {x}[{row}]")
            elif form == "add" and n >= 2:
                lines.append(f"{buf}[:-1] += {x}[:{n - 1}]" if form else "")
            elif form == "loop" and src:
                k = self.fresh("k")
                lines.append(f"for {k} in range({min(n, v.shape[0])}):")
                lines.append(f"    {buf}[{k}] = {buf}[{k}] + np.tanh({x}[{k}]) * 0.5")
        statement = "\n".join(lines)
        if self.run(statement):
            self.emit(statement)
            self.floats.append(buf)

    def tuple_use(self) -> None:
        a, b = self.pick(), self.pick()
        t = self.fresh("t")
        lines = [f"{t} = ({a}, {b})"]
        form = self.draw.choice(["index", "unpack", "loop", "sum"])
        out = self.fresh("s")
        if form == "index":
            lines.append(f"{out} = {t}[0] * 0.5 + np.sum({t}[-1])")
        elif form == "unpack":
            p, q = self.fresh("pp"), self.fresh("qq")
            lines += [f"{p}, {q} = {t}", f"{out} = np.sum({p}) * np.sum({q})"]
        elif form == "loop":
            item = self.fresh("item")
            lines += [f"{out} = 0.0", f"for {item} in {t}:"]
            lines.append(f"    {out} = {out} + np.sum({item} * {item})")
        else:
            lines.append(f"{out} = np.sum({a}) + np.sum({t}[1] * 2.0)")
        statement = "\n".join(lines)
        if self.run(statement):
            self.emit(statement)
            self.floats.append(out)

    def list_loop(self) -> None:
        x = self.pick()
        xs = self.fresh("xs")
        k = self.fresh("k")
        n = self.draw.int(1, 3)
        ns = self.env()
        ns[k] = 0
        inner = Scope(self.gen, ns, list(self.floats) + [k], depth=0)
        body = inner.same_shape(x)
        if body is None:
            return
        form = self.draw.choice(["append", "comprehension"])
        if form == "append":
            lines = [f"{xs} = []", f"for {k} in range({n}):"]
            lines.append(f"    {xs}.append({body} * ({k} + 1.0))")
        else:
            lines = [f"{xs} = [{body} * ({k} + 1.0) for {k} in range({n})]"]
        use = self.draw.choice(["stack", "last", "sum"])
        out = self.fresh("l")
        if use == "stack":
            lines.append(f"{out} = np.stack({xs})")
        elif use == "last":
            lines.append(f"{out} = {xs}[-1] - {xs}[0]")
        else:
            lines.append(f"{out} = sum({xs})")
        statement = "\n".join(lines)
        if self.run(statement):
            self.emit(statement)
            self.floats.append(out)

    def augmented(self) -> None:
        x = self.pick()
        z = self.assign(f"{x} * 2.0", "z")
        if z is None:
            return
        want = np.shape(self.ns[z])
        others = [
            n for n in self.floats
            if ops.broadcastable(np.shape(self.ns[n]), want)
            and np.broadcast_shapes(np.shape(self.ns[n]), want) == want
        ]  # fmt: skip
        op = self.draw.choice(["+=", "-=", "*="])
        other = self.draw.recent(others) if others and self.draw.chance(0.7) else "0.5"
        statement = f"{z} {op} {other}"
        if self.run(statement):
            self.emit(statement)


def _value(v: Any) -> bool:
    return isinstance(v, (float, np.floating, np.ndarray, tuple))


class Generator:
    """Draws one program: parameters, helpers, the body of ``f`` and its return."""

    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self.rng = np.random.default_rng(draw.int(0, 2**32 - 1))
        self.params: list[Param] = []
        self.helpers: list[str] = []
        self.counter = 0
        self.used: set[Any] = set()
        self.op_pool = ops.weighted(ops.ALL)
        self.unary_pool = ops.weighted(ops.UNARY)
        self.binary_pool = ops.weighted(ops.BINARY)
        self.elementwise_pool = ops.weighted(ops.UNARY + ops.BINARY)
        self.ns: dict[str, Any] = {"np": np}
        self.counts: dict[int, str] = {}
        self.nesting = 0  # loops around the body being written
        self.output = "scalar"
        self.functions: dict[str, Any] = {}  # helpers defined so far, by name

    def fresh(self, base: str) -> str:
        self.counter += 1
        return f"{base}{self.counter}"

    def param(self, value: Any, diff: bool, name: str | None = None) -> str:
        name = name or f"p{len(self.params)}"
        self.params.append(Param(name, value, diff))
        self.ns[name] = value
        return name

    def count_param(self, n: int) -> str:
        """An integer parameter holding ``n`` (a loop bound from the caller)."""
        if n not in self.counts:
            self.counts[n] = self.param(n, False, f"n{n}")
        return self.counts[n]

    def add_helper(self, source: str) -> None:
        if source not in self.helpers:
            self.helpers.append(source)
            namespace = {"np": np, **self.functions}
            exec(compile(source, "<fuzz helper>", "exec"), namespace)
            self.functions.update(
                {k: v for k, v in namespace.items() if k.startswith(("helper", "row_"))}
            )

    def helper(
        self, scope: Scope, args: list[str], preserve: bool, pair: bool = False
    ) -> str | None:
        """A new module-level helper called on ``args``; returns the call's text. With
        ``preserve``, it returns a value of its first argument's shape (and with ``pair`` a
        second of its second argument's shape); otherwise one value or a pair."""
        name = self.fresh("helper")
        params = [f"a{i}" for i in range(len(args))]
        ns = {"np": np}
        ns.update({p: scope.ns[a] for p, a in zip(params, args)})
        inner = Scope(self, ns, list(params), depth=1, function="helper")
        self.nesting += 1
        try:
            for _ in range(self.draw.int(0, 2)):
                inner.inner_item()
        finally:
            self.nesting -= 1
        if preserve:
            result = inner.same_shape(params[0])
            returns = None if result is None else [result]
            if pair and returns is not None:
                other = inner.same_shape(params[1])
                returns = None if other is None else returns + [other]
        else:
            first = inner.expression()
            returns = None if first is None else [first]
            if first is not None and self.draw.chance(0.4):
                second = inner.expression()
                returns = None if second is None else returns + [second]
        if returns is None:
            return None
        body = [f"def {name}({', '.join(params)}):"]
        body += ["    " + text for _, text in inner.lines]
        body.append(f"    return {', '.join(returns)}")
        self.add_helper("\n".join(body))
        return f"{name}({', '.join(args)})"


def _parameters(gen: Generator) -> None:
    """The float parameters of ``f`` (arrays, a Python float, a numpy scalar, a tuple)."""
    for _ in range(gen.draw.int(1, 3)):
        shape = gen.draw.choice(SHAPES)
        value = gen.rng.standard_normal(shape)
        gen.param(np.asarray(value) if shape else np.array(float(value)), True)
    if gen.draw.chance(0.2):
        gen.param(float(np.round(gen.rng.uniform(0.5, 1.5), 3)), True)
    if gen.draw.chance(0.15):
        gen.param(np.float64(gen.rng.uniform(-1.0, 1.0)), True)


def _unpack_tuple_param(gen: Generator, scope: Scope) -> None:
    """Maybe a tuple parameter ``(w, b)``, unpacked or indexed in the body."""
    if not gen.draw.chance(0.15):
        return
    w, b = gen.rng.standard_normal((3, 2)), gen.rng.standard_normal(2)
    name = gen.param((w, b), True)
    first, second = scope.fresh("w"), scope.fresh("b")
    if gen.draw.chance(0.5):
        scope.emit(f"{first}, {second} = {name}")
    else:
        scope.emit(f"{first} = {name}[0]\n{second} = {name}[1]")
    scope.ns[first], scope.ns[second] = w, b
    scope.floats += [first, second]


def _ending(gen: Generator, scope: Scope, output: str) -> str | None:
    """The ``return`` statement for the output kind, from the live floats."""
    floats = scope.floats
    terms = []
    for i in range(gen.draw.int(1, 3)):
        name = floats[-1] if i == 0 else gen.draw.recent(floats)
        weight = gen.draw.choice([1.0, 0.5, -0.75, 1.25])
        form = gen.draw.choice(["sum", "mean", "square"])
        if form == "sum":
            terms.append(f"np.sum({name} * {weight})")
        elif form == "mean":
            terms.append(f"np.mean({name}) * {weight}")
        else:
            terms.append(f"np.sum({name} ** 2) * {weight}")
    loss = " + ".join(terms)
    arrays = [n for n in floats if np.ndim(scope.ns[n]) >= 1]
    param_names = {p.name for p in gen.params}
    if output == "scalar":
        return f"return {loss}"
    if output == "aux":
        aux = gen.draw.recent(floats)
        return f"return {loss}, {aux} * 1.0"
    if not arrays:
        return None
    first = gen.draw.recent(arrays)
    first = f"{first} * 1.0" if first in param_names else first
    if output == "array":
        return f"return {first}"
    return f"return {first}, {loss}"


@st.composite
def programs(draw_fn: Any, outputs: tuple[str, ...] = OUTPUTS) -> Program:
    """A random program (see the module docstring)."""
    draw = Draw(draw_fn)
    gen = Generator(draw)
    dtype = draw.choice(["float64", "float32", "mixed"])
    output = gen.output = draw.choice(list(outputs))
    _parameters(gen)
    scope = Scope(gen, gen.ns, [p.name for p in gen.params if p.diff], depth=1)
    _unpack_tuple_param(gen, scope)
    constructs.dict_param(gen, scope)
    for _ in range(draw.int(1, 10)):
        scope.item()
    ending = _ending(gen, scope, output)
    if ending is None:
        ending, output = _ending(gen, scope, "scalar"), "scalar"
    if output in ("scalar", "array") and draw.chance(0.15):  # an early return on data
        cond, early = scope.condition(), _ending(gen, scope, output)
        if cond is not None and early is not None:
            scope.emit(f"if {cond[0]}:\n    {early}")
    scope.emit(ending)
    header = f"def f({', '.join(p.name for p in gen.params)}):"
    body = "\n".join("    " * depth + text for depth, text in scope.lines)
    parts = ["import numpy as np"] + gen.helpers + [header + "\n" + body]
    source = "\n\n\n".join(parts) + "\n"
    candidates = [i for i, p in enumerate(gen.params) if p.diff]
    chosen = [i for i in candidates if draw.chance(0.6)] or [candidates[0]]
    by_name = draw.chance(0.3)
    entries = tuple(gen.params[i].name if by_name else i for i in chosen)
    wrt: Any = entries[0] if len(entries) == 1 and draw.chance(0.5) else entries
    return Program(source, [p.value for p in gen.params], wrt, output, dtype)
