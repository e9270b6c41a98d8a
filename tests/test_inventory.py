"""The inventory of numpy's public callables (tests/inventory_numpy.py) against numpy and the rules.

A callable a new numpy release adds fails here until it is classified; an entry classified
``differentiable`` needs a rule (an in-place writer: its statement form's), a ``missing`` one
that has gained a rule must be promoted, and a ``piecewise`` one may carry only a
piecewise-constant rule (or none, declared here).
"""

import types

import numpy as np
import pytest
from inventory_numpy import INVENTORY

from s2s import registry
from s2s.frontend.spellings import WRITERS
from s2s.frontend.vectorized import CALLED_AS

CLASSES = {"differentiable", "missing", "piecewise", "structural", "not_numerical"}


def public_callables() -> dict[str, object]:
    """Every public callable of numpy and numpy.linalg, by its inventory name."""
    found = {}
    for prefix, module in (("", np), ("linalg.", np.linalg)):
        for name in dir(module):
            obj = getattr(module, name)
            if name.startswith("_") or not callable(obj) or isinstance(obj, types.ModuleType):
                continue
            found[prefix + name] = obj
    return found


CALLABLES = public_callables()


def test_every_public_callable_is_classified():
    new = sorted(set(CALLABLES) - set(INVENTORY))
    assert not new, (
        "numpy callables not in tests/inventory_numpy.py; classify each (differentiable with a "
        f"rule, missing, piecewise, structural or not_numerical): {new}"
    )


def test_every_entry_has_a_known_class():
    # An entry the installed numpy lacks is kept: the inventory spans the numpy releases the
    # project supports (numpy 2.5 removed `row_stack`; CI's interpreters may install either).
    bad = {n: c for n, (c, _) in INVENTORY.items() if c not in CLASSES}
    assert not bad, f"unknown classes: {bad}"
    unexplained = [n for n, (c, why) in INVENTORY.items() if c != "differentiable" and not why]
    assert not unexplained, f"entries without a reason: {unexplained}"


@pytest.mark.parametrize("cls", sorted(CLASSES))
def test_the_registry_agrees_with_each_class(cls):
    wrong = []
    for name, (c, _) in INVENTORY.items():
        if c != cls or name not in CALLABLES:
            continue
        # an in-place writer (np.put) is differentiated, on a local array, by the rule of the
        # runtime function its statement is written as (`buf[...] = _s2s.put(buf, ind, v)`);
        # a call of a numpy.vectorize object by _s2s.vectorized's (`_s2s.vectorized(vf, x)`)
        obj = CALLABLES[name]
        rule = registry.lookup(WRITERS.get(obj, CALLED_AS.get(obj, obj)))
        kind = rule.kind if rule is not None else None
        if cls == "differentiable":
            ok = kind not in (None, registry.PIECEWISE_CONSTANT)
        elif cls == "piecewise":
            ok = kind in (None, registry.PIECEWISE_CONSTANT)
        else:
            ok = kind is None
        if not ok:
            wrong.append(f"{name} (rule: {kind})")
    assert not wrong, f"entries classified {cls!r} that the registry contradicts: {wrong}"

