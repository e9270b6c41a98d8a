"""Registry-driven: every numpy function with a rule that returns memory of its argument (a
view, as numpy documents and ``np.shares_memory`` shows) declares it (``Facts(view=True)``):
the aliasing analysis refuses a later write into the base array only for declared views, so
a view it does not know of reads stale values silently (``np.linalg.matrix_transpose`` and
``np.linalg.diagonal`` did)."""

import numpy as np
import pytest

from s2s import registry

SAMPLE = np.arange(1.0, 25.0).reshape(2, 3, 4)  # three axes: matrix functions take the last two


def _numpy_rules():
    for fn in registry.all_rules():
        module = getattr(fn, "__module__", None) or ""
        if callable(fn) and module.startswith("numpy") and not isinstance(fn, np.ufunc):
            yield fn


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays(item)


def _shares(fn) -> bool:
    x = SAMPLE.copy()
    try:
        with np.errstate(all="ignore"):
            result = fn(x)
    except Exception:  # (a function that needs more arguments: no one-argument view)
        return False
    return any(np.shares_memory(part, x) for part in _arrays(result))


@pytest.mark.parametrize("fn", sorted(_numpy_rules(), key=registry.qualified_name),
                         ids=registry.qualified_name)  # fmt: skip
def test_a_function_returning_its_arguments_memory_declares_a_view(fn):
    if _shares(fn):
        assert registry.facts_of(fn).view, f"{registry.qualified_name(fn)} returns a view"
