"""The built-in rules load by family (:mod:`s2s.rulesets`): ``templates/index.py`` names every
function each rule module touches, a rule found with only its family loaded is the one found
with every module loaded, a gradient imports only the modules it needs, and a user's rule
registered before any lookup replaces the built-in one. Each case runs in a fresh interpreter
(the rules of this process are loaded already) at the root of this checkout."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap

from checkout import ROOT, checkout_file

from s2s import rulesets


def _run(code: str, cwd=ROOT) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _committed() -> dict[str, tuple[str, ...]]:
    rulesets.package()
    return importlib.import_module("s2s.templates.index").FAMILIES


def test_the_index_names_every_function_each_module_touches():
    """Computed here from a load of every module, one by one (numpy's version may add names:
    the committed index may hold more, never less); no two modules touch one function in ways
    whose order matters."""
    checkout_file("tools/rules_index.py")
    out = _run("""
        import json
        from tools import rules_index
        print(json.dumps(rules_index.families()))
    """)
    found, conflicts = json.loads(out)
    assert not conflicts, "\n".join(conflicts)
    committed = _committed()
    assert set(found) == set(rulesets.package().MODULES)
    missing = {m: sorted(set(names) - set(committed.get(m, ()))) for m, names in found.items()}
    missing = {m: names for m, names in missing.items() if names}
    assert not missing, f"run: python -m tools.rules_index\n{missing}"
    assert sum(map(len, found.values())) > 500


_RECORD = """
import importlib, json, sys
import numpy as np
from s2s import registry, rulesets
rulesets.package()  # this checkout's templates/ (not an editable install's other copy)
FAMILIES = importlib.import_module("s2s.templates.index").FAMILIES

def resolve(name):
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:]:
                obj = getattr(obj, part)
        except AttributeError:
            return None
        return obj
    return None

def record(fn):
    rule = registry.lookup(fn)
    shown = None if rule is None else [rule.kind, rule.source, rule.reason, rule.origin,
                                       rule.template is not None, rule.tangent is not None]
    return [shown, repr(registry.facts_of(fn))]

names = sorted({n for names in FAMILIES.values() for n in names}, reverse=True)
objects = {n: resolve(n) for n in names}
objects = {n: o for n, o in objects.items() if o is not None and registry.qualified_name(o) == n}
if sys.argv[1] == "all":
    registry.all_rules()
print(json.dumps({n: record(o) for n, o in objects.items()}))
print(rulesets.ALL_LOADED)
"""


def test_a_rule_found_with_its_family_is_the_rule_of_a_full_load():
    """Every function of the index that its name finds: its rule and facts looked up in a
    fresh interpreter, family by family in reverse order of the names, are those looked up
    after every module loaded in the order of ``s2s.templates.MODULES``."""
    lazy, lazy_all = _run(f"import sys; sys.argv[1:] = ['lazy']\n{_RECORD}").splitlines()
    full, full_all = _run(f"import sys; sys.argv[1:] = ['all']\n{_RECORD}").splitlines()
    lazy, full = json.loads(lazy), json.loads(full)
    assert (lazy_all, full_all) == ("False", "True")
    assert len(lazy) > 400 and sum(r[0] is not None for r in lazy.values()) > 350
    differ = {n: (lazy[n], full[n]) for n in full if lazy.get(n) != full[n]}
    assert not differ and set(lazy) == set(full)


def test_a_gradient_imports_only_the_rule_modules_it_needs(tmp_path):
    (tmp_path / "f.py").write_text(
        "import numpy as np\n\n\ndef f(x):\n    return np.sum(np.tanh(x))\n"
    )
    out = _run(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np, s2s
        from s2s import rulesets
        from f import f
        g = s2s.grad(f)(np.array([0.5, -1.0]))
        assert abs(g - (1 - np.tanh([0.5, -1.0]) ** 2)).max() < 1e-15, g
        print(sorted(m.rpartition(".")[2] for m in sys.modules if m.startswith("s2s.templates.")))
        print(rulesets.ALL_LOADED)
    """)
    loaded, everything = out.splitlines()
    assert "ufuncs" in loaded and "reductions" in loaded
    assert "linalg" not in loaded and "decompositions" not in loaded
    assert everything == "False"


def test_a_rule_registered_before_any_lookup_replaces_the_builtin(tmp_path):
    """The built-in rules of the function load first: the user's replaces them (when every
    module loaded at the first lookup, a rule registered before it was silently replaced by
    the built-in one)."""
    (tmp_path / "mine.py").write_text(textwrap.dedent("""
        import numpy as np
        import s2s
        from s2s import d

        @s2s.adjoint(np.sinc, source="mine: ten times the cotangent")
        def sinc_rule(result, x):
            d[x] = 10.0 * d[result]

        def f(x):
            return np.sum(np.sinc(x))
    """))
    out = _run(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np, s2s
        from s2s import registry
        import mine
        print(s2s.grad(mine.f)(np.array([0.5, 2.0])).tolist())
        print(registry.lookup(np.sinc).source)
        registry.all_rules()
        print(registry.lookup(np.sinc).source)
    """)
    grads, source, after = out.splitlines()
    assert json.loads(grads) == [10.0, 10.0]
    assert source == after == "mine: ten times the cotangent"

