"""Differential fuzzing (issue 14): a fixed-seed slice of random programs in every run.

The long run is ``python -m tests.fuzz --programs 10000 --jobs 2`` (see ``tests/fuzz``); its
failures, shrunk, become tests in ``tests/test_fuzz_regressions.py``.
"""

import dataclasses
import textwrap

import gast
import numpy as np
import pytest
from fuzz import ops
from fuzz.check import MODES, Skip, WrongGradient, check_program, run_program
from fuzz.programs import Draw, Generator, Scope, programs
from fuzz.rowleaves import leaves
from hypothesis import HealthCheck, given, settings

from s2s import registry

SLICE = 100  # programs per run: about half a minute on two cores


@settings(
    max_examples=SLICE,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(programs())
def test_random_programs_match_central_differences(program):
    try:
        run_program(program)
    except Skip:
        pass  # a kink or jump at the drawn point: nothing to compare there


def test_every_operation_of_the_fuzzer_has_a_rule():
    missing = [op.key for op in ops.ALL if registry.lookup(op.key) is None]
    assert not missing


def test_the_fuzzer_reaches_most_rules_through_rows():
    keys = {leaf.row.key for leaf in leaves()} | {op.key for op in ops.ALL}
    differentiable = {k for k, r in registry.builtin_rules().items()
                      if r.kind != registry.PIECEWISE_CONSTANT
                      and not getattr(k, "__module__", "").startswith("s2s.runtime")
                      and not r.origin.startswith("s2s.templates.scipy")
                      and r.origin != "s2s.templates.pymath"}  # fmt: skip
    # (the runtime helpers' rules serve derivatives of derivatives, not user programs; the
    # fuzzer draws numpy programs, so scipy's and Python math's rules are left to their rows)
    assert len(keys & differentiable) >= 0.9 * len(differentiable), differentiable - keys


def test_a_wrong_rule_is_caught(monkeypatch):
    """The checks are not vacuous: a tanh rule off by one percent fails."""
    source = "import numpy as np\n\ndef f(x):\n    return np.sum(np.tanh(x) * 2.0)\n"
    check_program(source, [np.array([0.3, -1.2])], wrt=0)
    rule = registry.lookup(np.tanh)
    wrong = gast.parse("def t(result, x):\n    return (1 - result * result) * 1.01").body[0]
    monkeypatch.setattr(rule, "_parsed", dataclasses.replace(rule.parsed(), body=wrong.body))
    with pytest.raises(WrongGradient):
        check_program(source.replace("2.0", "3.0"), [np.array([0.3, -1.2])], wrt=0)


def test_the_modes_checked():
    assert MODES == ("grad", "value_and_grad", "vjp")  # "jvp" joins when forward mode exists


class _Fixed(Draw):
    """Choices given in advance (then the first option), instead of hypothesis's."""

    def __init__(self, picks: list[int]) -> None:
        self.picks = list(picks)

    def int(self, lo: int, hi: int) -> int:
        return self.picks.pop(0) if self.picks else lo


def test_piecewise_constant_rows_are_drawn_off_their_ties():
    """Piecewise-constant rows draw coarse integers, so their rule tests meet ties; in a random
    program a central difference across a tie measures a jump, and two ties can cancel (the
    10,000-program run reported `np.sum(r5 * (r5 > r6))` wrong by 2e-5 with r5 and r6 equal
    at two entries). The generator moves such a row's arguments off the ties: every pair of
    their float entries, and each entry and 0, at least 1e-3 apart."""
    table = list(leaves())
    piecewise = [i for i, leaf in enumerate(table)
                 if registry.lookup(leaf.row.key).kind == registry.PIECEWISE_CONSTANT]  # fmt: skip
    assert len(piecewise) >= 20
    for index in piecewise:
        for seed in range(5):
            gen = Generator(_Fixed([seed, index]))
            Scope(gen, gen.ns, [], depth=1).leaf()
            values = [np.asarray(p.value) for p in gen.params]
            floats = [np.ravel(v).astype(np.float64) for v in values if v.dtype.kind == "f"]
            if not floats:
                continue
            entries = np.sort(np.concatenate(floats + [np.zeros(1)]))
            entries = entries[np.isfinite(entries)]
            gap = np.min(np.diff(entries), initial=np.inf)
            assert gap >= 1e-3, f"{table[index].row.id}, seed {seed}: entries {gap:g} apart"


@pytest.mark.parametrize(
    "marker",
    ["with np.errstate", "try:", "finally:", "except (", ", np.tanh)", "act=np.", "np.add.at",
     "where=", "split(", '["w"]'],
)  # fmt: skip
def test_each_construct_is_drawn_and_checked(marker):
    """The generator draws each construct of fuzz.constructs; the first program with it runs
    and its gradients are checked."""
    from hypothesis import Phase, find

    program = find(
        programs(),
        lambda p: marker in p.source,
        settings=settings(
            max_examples=5000,  # generation only, up to the first match (400 missed one in CI)
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
    try:
        run_program(program)
    except Skip:
        pass


def test_forward_checks_run_and_can_fail(monkeypatch):
    """``check_program(..., forward=True)`` checks jvp and hvp; a wrong jvp fails it."""
    from fuzz import forward

    source = "import numpy as np\n\ndef f(x):\n    return np.sum(np.tanh(x) * np.sin(x))\n"
    check_program(source, [np.array([0.3, -1.2])], wrt=0, forward=True)
    real = forward.s2s.jvp

    def off(f, wrt=0):
        def run(*args, **kwargs):
            value, tangent = real(f, wrt=wrt)(*args, **kwargs)
            return value, tangent * 1.01

        return run

    monkeypatch.setattr(forward.s2s, "jvp", off)
    with pytest.raises(WrongGradient):
        check_program(source, [np.array([0.3, -1.2])], wrt=0, forward=True)


def test_a_printed_failure_is_a_test_ready_to_paste():
    """The regression test the runner prints compiles, keeps ruff's 100 columns, and rebuilds
    the arguments exactly (a long array and a dict of parameters)."""
    from fuzz.report import regression_test

    rng = np.random.default_rng(3)
    args = [rng.standard_normal((3, 7)), {"w": rng.standard_normal(40), "b": np.float64(2.5)}]
    program = dataclasses.make_dataclass("Printed", ["source", "args", "wrt", "output", "dtype"])(
        "import numpy as np\n\n\ndef f(x, p):\n    return np.sum(x) * np.sum(p['w']) + p['b']\n",
        args,
        (0, 1),
        "scalar",
        "float64",
    )
    text = regression_test(program, "WrongValue: " + "a reason that is long, " * 12, True)
    assert max(len(line) for line in text.splitlines()) <= 100
    calls = []
    scope = {"np": np, "check_program": lambda *args, **options: calls.append((*args, options))}
    exec(compile(text, "<printed>", "exec"), scope)
    scope[text.split("(")[0].removeprefix("def ")]()
    [(source, rebuilt, options)] = calls
    assert textwrap.dedent(source) == program.source and options["forward"] is True
    assert np.array_equal(rebuilt[0], args[0]) and np.array_equal(rebuilt[1]["w"], args[1]["w"])
    assert rebuilt[1]["b"] == args[1]["b"] and type(rebuilt[1]["b"]) is np.float64
