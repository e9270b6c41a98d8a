"""A source file edited after its function was defined is refused (``SourceUnavailableError``),
never differentiated as the new text: an edit of the body, of one operator only, or one that
shifts the function's lines. The check leaves current sources alone (closures included)."""

import importlib
import sys
import textwrap

import numpy as np
import pytest

import s2s


def test_a_stale_source_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "edited_module.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("edited_module")
    try:
        path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 3)\n")
        with pytest.raises(s2s.SourceUnavailableError, match="changed after the function"):
            s2s.grad(module.f)(np.array([1.0, 2.0]))
    finally:
        sys.modules.pop("edited_module", None)


def test_a_stale_source_with_only_an_operator_changed_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "operator_edit.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("operator_edit")
    try:
        path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x * 2)\n")
        with pytest.raises(s2s.SourceUnavailableError, match="changed after the function"):
            s2s.grad(module.f)(np.array([1.0, 2.0]))
    finally:
        sys.modules.pop("operator_edit", None)


def test_a_stale_source_with_shifted_lines_says_so(tmp_path, monkeypatch):
    path = tmp_path / "shifted_edit.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("shifted_edit")
    try:
        path.write_text("import numpy as np\n\n\nX = 1\n\n\ndef f(x):\n    return np.sum(x)\n")
        with pytest.raises(s2s.SourceUnavailableError, match="probably changed"):
            s2s.grad(module.f)(np.array([1.0, 2.0]))
    finally:
        sys.modules.pop("shifted_edit", None)


def test_source_text_of_this_file_is_current():
    # the stale-source check must not refuse ordinary functions (methods, closures, lambdas)
    scale = 3.0

    def closure(x):
        return np.sum(x * scale)

    np.testing.assert_array_equal(s2s.grad(closure)(np.ones(2)), [3.0, 3.0])
    assert textwrap.dedent("  a\n") == "a\n"
