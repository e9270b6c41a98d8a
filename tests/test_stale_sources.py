"""A source file edited after its function was defined is refused (``SourceUnavailableError``),
never differentiated as the new text: an edit of the body, of one operator only, or one that
shifts the function's lines. The check leaves current sources alone (closures included)."""

import importlib
import sys
import textwrap

import numpy as np
import pytest

import s2s

EDITED_AFTER = "changed after the function"
ORIGINAL = "import numpy as np\n\ndef f(x):\n    return np.sum(x ** 2)\n"


def _refused_after_edit(tmp_path, monkeypatch, name: str, edited: str, match: str) -> None:
    """Import module ``name`` holding ``ORIGINAL``, rewrite its file as ``edited``: the gradient
    of its ``f`` raises SourceUnavailableError matching ``match``."""
    path = tmp_path / f"{name}.py"
    path.write_text(ORIGINAL)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(name)
    try:
        path.write_text(edited)
        with pytest.raises(s2s.SourceUnavailableError, match=match):
            s2s.grad(module.f)(np.array([1.0, 2.0]))
    finally:
        sys.modules.pop(name, None)


def test_a_stale_source_file_is_refused(tmp_path, monkeypatch):
    edited = "import numpy as np\n\ndef f(x):\n    return np.sum(x ** 3)\n"
    _refused_after_edit(tmp_path, monkeypatch, "edited_module", edited, EDITED_AFTER)


def test_a_stale_source_with_only_an_operator_changed_is_refused(tmp_path, monkeypatch):
    edited = "import numpy as np\n\ndef f(x):\n    return np.sum(x * 2)\n"
    _refused_after_edit(tmp_path, monkeypatch, "operator_edit", edited, EDITED_AFTER)


def test_a_stale_source_with_shifted_lines_says_so(tmp_path, monkeypatch):
    edited = "import numpy as np\n\n\nX = 1\n\n\ndef f(x):\n    return np.sum(x)\n"
    _refused_after_edit(tmp_path, monkeypatch, "shifted_edit", edited, "probably changed")


def test_source_text_of_this_file_is_current():
    # the stale-source check must not refuse ordinary functions (methods, closures, lambdas)
    scale = 3.0

    def closure(x):
        return np.sum(x * scale)

    np.testing.assert_array_equal(s2s.grad(closure)(np.ones(2)), [3.0, 3.0])
    assert textwrap.dedent("  a\n") == "a\n"


def _renamed(k):
    def f(x):
        return np.sum(np.sin(x) * k)

    f.__name__ = f.__qualname__ = f"f_{k}"  # a factory naming what it makes
    return f


_cube = lambda x: np.sum(x**3)  # noqa: E731
_cube.__name__ = "cube"


def test_a_renamed_function_is_read_from_its_def():
    """``f.__name__ = ...`` was refused as "the file probably changed after the function was
    defined" (fresh-108 F7): the def is found by the code's own name, which renaming keeps."""
    x = np.array([0.3, 0.5])
    np.testing.assert_allclose(s2s.grad(_renamed(2.0))(x), 2.0 * np.cos(x), rtol=1e-14)
    np.testing.assert_allclose(s2s.grad(_cube)(x), 3 * x**2, rtol=1e-14)
    np.testing.assert_allclose(s2s.hvp(_renamed(2.0))(x, np.ones(2)), -2.0 * np.sin(x),
                               rtol=1e-14)  # fmt: skip
