"""Resolve: bind every call target to the object it names through globals, closure and builtins.

Before: ``np.stack`` is a name and an attribute; after, it is the function object, with the
scope it was found in:

>>> import numpy as np
>>> from s2s.frontend.parse import parse
>>> def stacked(x):
...     return np.stack([x, x])
>>> [(t.obj is np.stack, t.scope, t.name, t.attrs) for t in resolve(parse(stacked))]
[(True, 'global', 'np', ('stack',))]
"""

from __future__ import annotations

import builtins
import operator
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from s2s.codegen.walking import inner_nodes, walk
from s2s.frontend.operators import spell_operators
from s2s.frontend.parse import Primal
from s2s.frontend.tolists import expand_tolists
from s2s.runtime.sources import source_of

MISSING = object()


@dataclass(frozen=True)
class Target:
    """A resolved call target: the object and how the primal reaches it.

    ``scope`` is ``"global"``, ``"closure"`` or ``"builtin"``; ``name`` the root name and
    ``attrs`` the attribute chain (``np.linalg.inv`` is ``("global", "np", ("linalg", "inv"))``).
    A step of a global container is a pair: ``("item", "loss")`` reads ``CFG["loss"]``, and
    ``("len", None)`` stands for the container's length (a loop over it was written out).
    """

    obj: Any
    scope: str
    name: str
    attrs: tuple[str | tuple[str, Any], ...]

    @property
    def written(self) -> str:
        text = self.name
        for step in self.attrs:
            if isinstance(step, str):
                text += "." + step
            else:
                text = f"len({text})" if step[0] == "len" else f"{text}[{step[1]!r}]"
        return text


CONTAINERS = (dict, list, tuple)  # what s2s looks into when the derivative is made


def follow(obj: Any, step: str | tuple[str, Any]) -> Any:
    """``obj`` one step along a target's path: an attribute, an item of a dict, list or tuple,
    or its length; ``MISSING`` where the step fails (no user code runs for an item)."""
    if isinstance(step, str):
        return getattr(obj, step, MISSING)
    if type(obj) not in CONTAINERS:
        return MISSING
    if step[0] == "len":
        return len(obj)
    try:
        return obj[step[1]]
    except (LookupError, TypeError):
        return MISSING


@dataclass(frozen=True)
class Method:
    """A method or attribute of a local value: ``x.sum(axis=0)`` or ``x.T``."""

    name: str


def local_names(tree: gast.FunctionDef) -> set[str]:
    """Parameters and every name the function assigns."""
    names = {a.id for a in tree.args.args + tree.args.posonlyargs + tree.args.kwonlyargs}
    if tree.args.vararg is not None:
        names.add(tree.args.vararg.id)
    if tree.args.kwarg is not None:
        names.add(tree.args.kwarg.id)
    for node in inner_nodes(tree):  # (a set: in no particular order)
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            names.add(node.id)
        elif isinstance(node, gast.FunctionDef) and node is not tree:
            names.add(node.name)  # a nested def binds its name
    return names


def root_value(func: types.FunctionType, name: str) -> tuple[str, Any]:
    code = func.__code__
    if name in code.co_freevars and func.__closure__ is not None:
        cell = func.__closure__[code.co_freevars.index(name)]
        try:
            return "closure", cell.cell_contents
        except ValueError:
            return "closure", MISSING
    if name in func.__globals__:
        return "global", func.__globals__[name]
    builtins_ns = func.__globals__.get("__builtins__", builtins)
    if isinstance(builtins_ns, types.ModuleType):
        builtins_ns = vars(builtins_ns)
    return "builtin", builtins_ns.get(name, MISSING)


def lookup_target(func: types.FunctionType, scope: str, name: str, attrs: tuple) -> Any:
    """Re-read a target the way the primal would now (for the identity check on entry)."""
    found_scope, obj = root_value(func, name)
    if found_scope != scope:
        return MISSING
    for attr in attrs:
        obj = follow(obj, attr)
        if obj is MISSING:
            break
    return obj


def _same(now: Any, then: Any) -> bool:
    """A call target still names the object it named at generation. A method bound to an
    instance (``scipy.stats.norm.logpdf``) is a new object at each read: it is the same while
    it binds the same function to the same instance."""
    if now is then:
        return True
    if type(now) is int and type(then) is int:  # a container's length
        return now == then
    return isinstance(now, types.MethodType) and now == then


def targets_unchanged(func: types.FunctionType, targets: list[Target]) -> bool:
    """Whether every target still names its object when read as ``func`` would now (the
    derivative's check on every entry). A global target is read from ``func.__globals__``
    directly (no closure can take its name: ``co_freevars`` is fixed); a closure or builtin
    target goes through :func:`lookup_target`."""
    namespace = func.__globals__
    for t in targets:
        if t.scope == "global":
            obj = namespace.get(t.name, MISSING)
            for attr in t.attrs:
                if obj is MISSING:
                    break
                obj = follow(obj, attr)
        else:
            obj = lookup_target(func, t.scope, t.name, t.attrs)
        if obj is not t.obj and not _same(obj, t.obj):
            return False
    return True


def target_guard(func: types.FunctionType, targets: list[Target]) -> Callable[[], bool]:
    """:func:`targets_unchanged` for ``func`` and ``targets`` as a function of no arguments,
    prepared once: the global targets read through attributes only (``np.sum``,
    ``np.linalg.inv``) are grouped by their global name, each group one dict read and one
    ``operator.attrgetter`` call for all its paths (a target read on several lines counted
    once); the others go through :func:`targets_unchanged`; a single target read through a
    global (``np.sum`` alone) gets a guard without the loop. It answers ``True`` only where
    that would."""
    namespace = func.__globals__
    groups: dict[str, dict[str, Any]] = {}  # global name -> {dotted path ("" itself): object}
    rest = []
    for t in targets:
        if t.scope == "global" and all(isinstance(step, str) for step in t.attrs):
            paths = groups.setdefault(t.name, {})
            path = ".".join(t.attrs)
            if paths.get(path, t.obj) is t.obj:
                paths[path] = t.obj
                continue
        rest.append(t)
    checks = []
    for root, paths in groups.items():
        whole = paths.pop("", MISSING)
        getter = operator.attrgetter(*paths) if paths else None
        then = tuple(paths.values())
        checks.append((root, whole, getter, then[0] if len(then) == 1 else then, len(then) == 1))
    same = _same
    if len(checks) == 1 and not rest and checks[0][1] is MISSING and checks[0][4]:
        root, _, getter, then, _ = checks[0]  # one target read through one global: np.sum

        def unchanged_one() -> bool:
            try:
                now = getter(namespace[root])
            except (KeyError, AttributeError):  # gone: targets_unchanged reads MISSING
                return False
            return now is then or same(now, then)

        return unchanged_one

    def unchanged() -> bool:
        for root, whole, getter, then, single in checks:
            try:
                base = namespace[root]
                now = getter(base) if getter is not None else ()
            except (KeyError, AttributeError):  # gone: targets_unchanged reads MISSING
                return False
            if whole is not MISSING and base is not whole and not same(base, whole):
                return False
            if single:
                if now is not then and not same(now, then):
                    return False
            elif not all(map(operator.is_, now, then)) and not all(map(same, now, then)):
                return False
        return not rest or targets_unchanged(func, rest)

    return unchanged


def name_chain(node: gast.expr) -> tuple[str, tuple[str, ...]] | None:
    attrs: list[str] = []
    while isinstance(node, gast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if isinstance(node, gast.Name):
        return node.id, tuple(reversed(attrs))
    return None


def resolve(primal: Primal) -> list[Target]:
    """Annotate call and attribute nodes with ``node.s2s_target`` (a Target or a Method).

    Returns the resolved call targets, which the derivative re-checks on every entry. A call
    of the builtin ``pow`` with two arguments becomes ``**`` (:mod:`s2s.frontend.operators`),
    and ``x.tolist()`` of a local value the list of its items (:mod:`s2s.frontend.tolists`).
    """
    func = primal.func
    local = local_names(primal.tree)
    targets: list[Target] = primal.checked  # analysis may add (analysis/derivatives.py)
    for node in walk(primal.tree):
        if isinstance(node, gast.Call):
            fn = node.func
            if hasattr(fn, "s2s_target"):  # bound by frontend/callables.py
                if isinstance(fn.s2s_target, Target) and fn.s2s_target.scope != "argument" and (
                    fn.s2s_target.name != "_s2s"):  # (not a global: `_s2s.leaves_of` s2s wrote)
                    targets.append(fn.s2s_target)  # an item of a global container
                continue
            if isinstance(fn, gast.Attribute) and (
                _is_local_rooted(fn.value, local) or _is_global_array(func, fn.value, local)
            ):
                fn.s2s_target = Method(fn.attr)
                continue
            chain = name_chain(fn)
            if chain is None or chain[0] in local:
                continue
            target = resolve_chain(func, *chain)
            if target is not None:
                fn.s2s_target = target
                targets.append(target)
        elif isinstance(node, gast.Attribute) and isinstance(node.ctx, gast.Load):
            if _is_local_rooted(node.value, local) or _is_global_array(func, node.value, local):
                if not hasattr(node, "s2s_target"):
                    node.s2s_target = Method(node.attr)
    spell_operators(primal.tree)  # pow(a, b) is a ** b
    expand_tolists(primal.tree, Method)  # x.tolist() is [item.item() for item in x]
    return targets


def _is_global_array(func: types.FunctionType, node: gast.expr, local: set[str]) -> bool:
    """``X`` in ``X.dot(w)`` names a global (or closure) numpy array: its methods are numpy's."""
    chain = name_chain(node)
    if chain is None or chain[0] in local:
        return False
    target = resolve_chain(func, *chain)
    return target is not None and isinstance(target.obj, (np.ndarray, np.generic))


def global_value(func: types.FunctionType, node: gast.expr) -> Any:
    """The current value of a global or closure chain (``np``, ``CONFIG.scale``), or ``None``."""
    chain = name_chain(node)
    target = resolve_chain(func, *chain) if chain is not None else None
    return target.obj if target is not None else None


def _is_local_rooted(node: gast.expr, local: set[str]) -> bool:
    return not (name_chain(node) is not None and name_chain(node)[0] not in local)


def resolve_chain(func: types.FunctionType, name: str, attrs: tuple[str, ...]) -> Target | None:
    scope, obj = root_value(func, name)
    if obj is MISSING:
        return None
    for attr in attrs:
        obj = getattr(obj, attr, MISSING)
        if obj is MISSING:
            return None
    return Target(obj, scope, name, attrs)


_NUMPY_PATHS: dict[int, str] = {}
_SCANNED: set[str] = set()


def numpy_path(obj: Any) -> str | None:
    """The canonical path of a numpy callable under ``numpy`` (``"linalg.inv"``), or ``None``.

    Each module is read once it is imported, never imported for this: ``vars()``, not
    ``dir()``, since numpy's module ``__getattr__`` would import its lazy submodules (f2py,
    testing, polynomial, ...: 100-160 ms at the first generation in a process), and
    ``numpy.fft`` only once the user's code has imported it (a function of it exists only
    then). A name under ``numpy`` itself wins over the same callable in a submodule."""
    for prefix, module_name in (("linalg.", "numpy.linalg"), ("", "numpy"), ("fft.", "numpy.fft")):
        if module_name in _SCANNED:
            continue
        module = sys.modules.get(module_name)
        if module is None:
            continue
        _SCANNED.add(module_name)
        for attr, value in list(vars(module).items()):
            if attr.startswith("_") or not callable(value) or isinstance(value, type):
                continue
            if prefix:
                _NUMPY_PATHS.setdefault(id(value), prefix + attr)
            else:
                _NUMPY_PATHS[id(value)] = attr
    return _NUMPY_PATHS.get(id(obj))


def is_library(obj: Any) -> bool:
    """True for callables of numpy, scipy, math, builtins, s2s and the array libraries (Dask,
    CuPy): they need a rule, never source; but for s2s's helpers with a plain twin
    (:mod:`s2s.runtime.sources`), differentiated from the twin's source."""
    module = getattr(obj, "__module__", None) or ""
    if source_of(obj) is not None:
        return False
    if isinstance(obj, np.ufunc) or isinstance(obj, types.BuiltinFunctionType):
        return True
    root = module.split(".")[0]
    return root in {
        "numpy", "scipy", "math", "builtins", "s2s", "_operator", "operator", "dask", "cupy",
    }  # fmt: skip
