"""Loading the built-in rules: a module of ``templates/`` when a function it has a rule or
facts for is first looked up, every module when all the rules are asked for.

``import s2s`` loads no rule. The registry (:func:`s2s.registry.lookup`) names the function
looked up (:func:`s2s.registry.qualified_name`: ``numpy.tanh``) and :func:`load_family`
imports the modules that register or declare something for that name: its *family*, read
from ``templates/index.py`` (``python -m tools.rules_index`` writes it from a load of every
module; ``tests/test_rules_index.py`` fails while it is stale). The LSTM workload's first
gradient imports 4 of the 40 modules: ``ufuncs``, ``products``, ``reductions``, ``shapes``.
Every module is imported, in the order of ``s2s.templates.MODULES``, by
:func:`load_builtin_rules` (``s2s.registry.all_rules`` and the tests that walk all rules).

Which module is imported first changes nothing: no two modules register a rule for the same
function, and two that declare facts for one function declare the same facts (checked by
``tools.rules_index``). The rules of optional libraries (scipy) load once the library is
imported (``OPTIONAL_RULES``), as before.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

# Rule modules of optional libraries: loaded once the library is imported (by the user's code,
# or by anything else), so ``import s2s`` never imports them and never needs them installed.
OPTIONAL_RULES: dict[str, tuple[str, ...]] = {
    "scipy": tuple(
        f"s2s.templates.scipy_{m}"
        for m in ("special", "stats", "tails", "multivariate", "discrete") + ("linalg",)
    ),
}
OPTIONAL_PENDING = dict(OPTIONAL_RULES)
# held while modules are imported; re-entered if a template module looks a rule up meanwhile
LOCK = threading.RLock()
ALL_LOADED = False  # every module of s2s.templates.MODULES imported
_IMPORTED: set[str] = set()  # the modules of s2s.templates.MODULES imported (short names)
_FAMILIES: dict[str, tuple[str, ...]] | None = None  # qualified name -> its modules, in order


def load_family(name: str) -> None:
    """Import the modules of the built-in rules that register a rule or declare facts for the
    function whose qualified name is ``name`` (none for a name no module mentions). A second
    thread waits until they are imported."""
    if ALL_LOADED:
        return
    families = _FAMILIES if _FAMILIES is not None else _read_index()
    modules = families.get(name)
    if modules and not _IMPORTED.issuperset(modules):
        with LOCK:
            _import(modules)


def has_family(name: str) -> bool:
    """Whether some module of the built-in rules registers or declares something for the
    function of qualified name ``name``."""
    return name in (_FAMILIES if _FAMILIES is not None else _read_index())


def load_builtin_rules() -> None:
    """Import every module of the built-in rules (``s2s.templates.MODULES``, in that order);
    a second thread waits until they are all registered."""
    global ALL_LOADED
    with LOCK:
        if not ALL_LOADED:
            _import(package().MODULES)
            ALL_LOADED = True


def load_optional_rules() -> None:
    """Import the rule modules of the optional libraries (``OPTIONAL_RULES``) that are imported
    now; a library imported later has its rules loaded at the next lookup that misses. They are
    submodules of ``s2s.templates``: that package is loaded first (:func:`package`), so that a
    checkout's ``s2s`` never takes them from an editable install's other copy."""
    with LOCK:
        package()
        for name in [p for p in OPTIONAL_PENDING if sys.modules.get(p) is not None]:
            for module in OPTIONAL_PENDING.pop(name):
                importlib.import_module(module)


def package() -> ModuleType:
    """The package ``s2s.templates``, imported (importing it registers no rule).

    Installed, the rules are the package ``s2s/templates``. In a source checkout they are the
    folder ``templates/`` beside ``s2s/``; an editable install maps ``s2s.templates`` there,
    but an ``s2s`` imported from the checkout by its path (``python -m s2s`` run at the root
    over a regular install) would find no ``s2s/templates``, or would mix with another copy's
    rules. So the ``s2s`` of a checkout always loads the checkout's ``templates/``.
    """
    module = sys.modules.get("s2s.templates")
    if module is not None:
        return module
    with LOCK:
        if "s2s.templates" in sys.modules:
            return sys.modules["s2s.templates"]
        here = Path(__file__).resolve().parent
        beside = here.parent / "templates" / "__init__.py"
        if (here / "templates").is_dir() or not beside.is_file():
            return importlib.import_module("s2s.templates")  # by name: rules import the registry
        spec = importlib.util.spec_from_file_location(
            "s2s.templates", beside, submodule_search_locations=[str(beside.parent)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["s2s.templates"] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules["s2s.templates"]
            raise
        sys.modules["s2s"].templates = module
        return module


def _import(modules: tuple[str, ...]) -> None:
    """Import ``modules`` of ``s2s.templates`` (short names) not imported yet, with the cyclic
    collector paused: the rules made at once free nothing meanwhile."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        for module in modules:
            if module not in _IMPORTED:
                importlib.import_module(f"s2s.templates.{module}")
                _IMPORTED.add(module)
    finally:
        if collecting:
            gc.enable()


def _read_index() -> dict[str, tuple[str, ...]]:
    """Each qualified name of ``templates/index.py`` mapped to its modules, in the order of
    ``s2s.templates.MODULES``; bound whole once made (other threads read it unlocked)."""
    global _FAMILIES
    with LOCK:
        if _FAMILIES is None:
            modules = package().MODULES  # first: this s2s's templates, whatever else is installed
            index = importlib.import_module("s2s.templates.index").FAMILIES
            families: dict[str, tuple[str, ...]] = {}
            for module in modules:
                one = (module,)
                for name in index.get(module, ()):
                    known = families.get(name)
                    families[name] = one if known is None else known + one
            _FAMILIES = families
    return _FAMILIES
