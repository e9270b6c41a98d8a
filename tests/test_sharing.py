"""Safe to share (issue 14): derivative objects called from many threads at once, pickled into a
fresh process, and used after their source file is edited."""

import functools
import importlib
import pickle
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import fixtures_funcs as fx
import numpy as np
import pytest
from gradcheck import fresh

import s2s

TESTS = Path(__file__).resolve().parent
THREADS = 8


def cell(h, x, w):
    return np.tanh(h @ w + x)


def rnn_loss(w, b, xs):
    """A loop (a tape), a helper (a sub-derivative), a branch, a write into a local array."""
    h = np.zeros(w.shape[0])
    out = np.zeros((xs.shape[0], w.shape[0]))
    for t in range(xs.shape[0]):
        h = cell(h, xs[t] + b, w)
        if np.sum(h) > 0.0:
            h = h * 0.9
        out[t] = h
    return np.sum(out**2) + np.max(h)


def inputs(k):
    """Different inputs per thread; two sequence lengths, so shapes differ too."""
    rng = np.random.default_rng(k)
    n = 3 + k % 2
    return rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4), rng.normal(size=(n, 4))


def race(make, rounds: int) -> list[str]:
    """``rounds`` times: a derivative made by ``make()`` (so its generation races too) called by
    8 threads at once, each on its own inputs, each result compared with a serial call's."""
    cases = [inputs(k) for k in range(THREADS)]
    reference = make()
    expected = [reference(*args) for args in cases]
    errors: list[str] = []
    derivative = reference
    for r in range(rounds):
        if r % 50 == 0:
            derivative = make()
        _round(derivative, cases, expected, r, errors)
        if errors:
            break
    return errors


def _round(derivative, cases, expected, r: int, errors: list[str]) -> None:
    """One round: every thread waits at the barrier, then calls ``derivative`` on its inputs."""
    barrier = threading.Barrier(THREADS)

    def work(k: int) -> None:
        barrier.wait()
        try:
            got = derivative(*cases[k])
            np.testing.assert_allclose(_flat(got), _flat(expected[k]), rtol=1e-12)
        except Exception as exc:  # collected: an assertion in a thread would be lost
            errors.append(f"round {r}, thread {k}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _flat(result):
    if isinstance(result, tuple):
        return np.concatenate([_flat(r) for r in result])
    return np.ravel(np.asarray(result, dtype=np.float64))


def pulled_back(f):
    """vjp whose pullback is called in the thread that made it and in another one."""
    derivative = s2s.vjp(f, wrt=(0, 1))

    def call(w, b, xs):
        value, pullback = derivative(w, b, xs)
        result = []
        helper = threading.Thread(target=lambda: result.append(pullback(2.0)))
        helper.start()
        helper.join()
        return (value, pullback(1.0), *result[0])

    return call


MAKERS = {
    "grad": lambda: s2s.grad(fresh(rnn_loss), wrt=(0, 1, 2)),
    "value_and_grad": lambda: s2s.value_and_grad(fresh(rnn_loss), wrt=(0, 1)),
    "vjp": lambda: pulled_back(fresh(rnn_loss)),
}


@pytest.mark.parametrize("mode", MAKERS)
def test_threads_share_one_derivative(mode):
    assert race(MAKERS[mode], rounds=20) == []


@pytest.mark.slow
@pytest.mark.parametrize("mode", MAKERS)
def test_threads_share_one_derivative_1000_times_in_a_row(mode):
    assert race(MAKERS[mode], rounds=1000) == []


# A fresh interpreter whose rule templates load slowly: threads that look a rule up while
# another thread is loading them must wait for all of them, not see a half-filled registry.
_SLOW_LOAD = """
import importlib.abc, sys, threading, time
import numpy as np

class Slow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "s2s.templates.ufuncs":
            time.sleep(0.3)
        return None

sys.meta_path.insert(0, Slow())
from s2s import registry
found = []
barrier = threading.Barrier(8)

def work():
    barrier.wait()
    found.append(registry.lookup(np.tanh) is not None)

threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sum(found))
"""


def test_threads_loading_the_rules_wait_for_all_of_them():
    out = subprocess.run(
        [sys.executable, "-c", _SLOW_LOAD], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "8"


# -- pickling into a fresh process ---------------------------------------------------------------

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
Y = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])

_CHILD = """
import pickle, sys
sys.path.insert(0, {tests!r})
derivatives, args, expected = pickle.loads(sys.stdin.buffer.read())
import numpy as np
for d, a, e in zip(derivatives, args, expected):
    got = d(*a)
    np.testing.assert_equal(got, e)
print(len(derivatives))
"""


def test_pickled_derivatives_work_in_a_fresh_process():
    derivatives = [
        fx.dec_loss,  # module level: by qualified name
        fx.module_level_grad,
        s2s.grad(fx.two_args, wrt="y", disconnected="none"),
        s2s.value_and_grad(fx.with_aux, has_aux=True),
        s2s.grad(fx.three_args, wrt=(0, 2), nan="raise"),
    ]
    args = [(X,), (X, Y), (X, Y), (X,), (X, Y, 2.0)]
    _same_in_a_fresh_process(derivatives, args)


def _same_in_a_fresh_process(derivatives, args):
    """Pickle ``derivatives`` with their results on ``args``; a fresh interpreter unpickles
    them and checks each gives the same result."""
    expected = [d(*a) for d, a in zip(derivatives, args)]
    payload = pickle.dumps((derivatives, args, expected))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(tests=str(TESTS))],
        input=payload,
        capture_output=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.decode().strip() == str(len(derivatives))


def test_derivatives_of_callables_passed_directly_pickle_as_the_callable():
    """A library callable or a partial is differentiated through a generated wrapper that no
    other process can import: the derivative pickles the callable given (docs/design.md)."""
    a = np.array([[2.0, 0.5], [0.3, 1.5]])
    x = np.array([0.3, -0.7, 1.1])
    derivatives = [
        s2s.grad(np.tanh),
        s2s.grad(np.linalg.det),
        s2s.grad(functools.partial(fx.with_kwonly, w=2.0)),
        s2s.grad(functools.partial(np.multiply, 2.0)),
        s2s.jacobian(np.tanh),
        s2s.hessian(np.sin),
        s2s.grad(np.einsum, wrt=1),  # *operands: one derivative per operand count
    ]
    args = [(0.4,), (a,), (x,), (1.5,), (x,), (0.3,), ("ij,j->", a, x[:2])]
    _same_in_a_fresh_process(derivatives, args)
    assert pickle.loads(pickle.dumps(derivatives[0])).primal.__s2s_callable__ is np.tanh


# -- a source file edited after the derivative was made ------------------------------------------


def test_after_the_source_is_edited_new_specializations_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "edited_after.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("edited_after")
    try:
        d = s2s.grad(module.f)
        np.testing.assert_allclose(d(np.array([1.0, 2.0])), [2.0, 4.0])
        path.write_text(
            textwrap.dedent("""\
            import numpy as np

            def f(x):
                return np.sum(x ** 3)
            """)
        )
        # the specialization made before the edit differentiates the code that runs
        np.testing.assert_allclose(d(np.array([1.0, 3.0])), [2.0, 6.0])
        # a new one would read the new text for the old code: refused
        with pytest.raises(s2s.SourceUnavailableError, match="changed after the function"):
            d(np.ones((2, 2)))
        with pytest.raises(s2s.SourceUnavailableError, match="changed after the function"):
            s2s.grad(module.f)(np.array([1.0, 2.0], dtype=np.float32))
    finally:
        sys.modules.pop("edited_after", None)
