"""AdjointFlow.carried_loop_body: the reversed loop body that zero_carried_buffers and then
loop_body make, with fewer generations of the body (a trip short of the fixpoint that already
shows the body will be made again ends the run without before at once).

Each loop here is differentiated three ways, each from a fresh copy of its function: as s2s
does; with carried_loop_body replaced by the two calls it stands for; and with its check of
the zeros it chose failing, so that it undoes its work and makes them as those two calls do.
The three sources are the same text. The count of generations is checked too (not a time)."""

import importlib.util
import sys
import types

import numpy as np
import pytest
from checkout import ROOT, in_checkout

import s2s
from s2s.reverse.flow import AdjointFlow


def fresh(f):
    """A copy of ``f`` that s2s differentiates anew (its cache is per function object)."""
    return types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__,
                              f.__closure__)  # fmt: skip


def masked_rnn(w, xs):
    h = np.zeros(3)
    acc = 0.0
    for t in range(xs.shape[0]):
        h = np.maximum(h * w + xs[t], 0.0)  # a selection: masks carried across the back edge
        acc = acc + np.sum(h * h)
    return acc


def two_carries(a, xs):
    p = np.ones(2)
    q = np.zeros(2)
    for t in range(xs.shape[0]):
        q = q + np.sin(p) * a
        p = p * 0.5 + xs[t] * q
    return np.sum(p) + np.sum(q)


def while_loop(x):
    s = 0.0
    k = 0
    while k < 4:
        s = s + np.sum(np.tanh(x * k))
        x = x * 0.9
        k += 1
    return s


def nested(w, xs):
    h = np.zeros(2)
    for t in range(xs.shape[0]):
        for j in range(2):
            h = np.tanh(h * w + xs[t, j])
    return np.sum(h)


def _workloads() -> dict:
    """benchmarks/workloads.py's LSTM, Kalman, RNN and Euler loops, loaded by path (the
    checkout's `benchmarks/` is no package on the path of a plain `pytest`); none where the
    tests run outside the checkout (CI's suite against the installed wheel)."""
    path = ROOT / "benchmarks" / "workloads.py"
    if not (in_checkout() and path.is_file()):
        return {}
    spec = importlib.util.spec_from_file_location("s2s_benchmark_workloads", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    found = {w.name.split(",")[0].split(" ")[0]: w for w in module.WORKLOADS}
    return {name: (found[name].f, found[name].make(0), found[name].wrt)
            for name in ("LSTM", "Kalman", "RNN", "Euler")}  # fmt: skip


RNG = np.random.default_rng(0)
CASES = {
    **_workloads(),
    "masked_rnn": (masked_rnn, (RNG.standard_normal(3), RNG.standard_normal((5, 3))), ("w",)),
    "two_carries": (two_carries, (RNG.standard_normal(2), RNG.standard_normal((4, 2))), ("a",)),
    "while_loop": (while_loop, (RNG.standard_normal(3),), ("x",)),
    "nested": (nested, (RNG.standard_normal(2), RNG.standard_normal((3, 2))), ("w",)),
}


def reference(self, generate, before):
    """carried_loop_body as it was written: the run without ``before``, then the body again."""
    body = self.zero_carried_buffers(generate, before)
    return self.loop_body(generate, before) if body is None else body


def build(case, monkeypatch=None, **patches):
    """The gradient's source and the number of loop-body generations it took."""
    f, args, wrt = CASES[case]
    count = [0]
    loop_body = AdjointFlow.loop_body

    def counted(self, generate, *rest, **options):
        def once():
            count[0] += 1
            return generate()

        return loop_body(self, once, *rest, **options)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(AdjointFlow, "loop_body", counted)
        for attr, value in patches.items():
            mp.setattr(AdjointFlow, attr, value)
        grad = s2s.grad(fresh(f), wrt=wrt)
        grad(*args)
    return grad.source, count[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_carried_loop_body_makes_the_source_of_its_two_steps(case):
    got, made = build(case)
    want, made_before = build(case, carried_loop_body=reference)
    forced, _ = build(case, _none_missed=lambda self, entry, chosen: False)  # undone, redone
    assert got == want == forced
    assert 0 < made <= made_before


def test_the_loops_that_are_made_again_take_one_generation_less():
    if "LSTM" not in CASES:
        pytest.skip("benchmarks/workloads.py is not here: the tests run outside a checkout")
    for case in ("LSTM", "Kalman"):  # a buffer None at entry is made zeros: made again
        assert build(case)[1] == build(case, carried_loop_body=reference)[1] - 1 == 3
