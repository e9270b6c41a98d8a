"""Golden sources: a branch, a loop, a call of the user's helper, the MLP with and without an
``if`` and the RNN example, generated text compared with ``tests/golden/sources/*.py``.

After an intended change of the emitter: ``python -m tests.golden --update``, then review the
diff of ``tests/golden/sources``.
"""

import inspect

import pytest
from checkout import checkout_file
from golden import cases

UPDATE = "python -m tests.golden --update"


@pytest.mark.parametrize("name", list(cases.CASES))
def test_generated_source_is_the_golden_one(name):
    case = cases.CASES[name]
    if case.needs:
        checkout_file(case.needs)
    expected = cases.path(case).read_text()
    actual = cases.source(case)
    assert actual == expected, f"the {name} derivative changed; if on purpose, run `{UPDATE}`"


def hand_written_lines():
    """Lines of backpropagation through time written by hand (``benchmarks/bench_rnn.py``)."""
    bench = cases.load(str(checkout_file("benchmarks/bench_rnn.py").relative_to(cases.ROOT)))
    return len(inspect.getsource(bench.hand_grad).rstrip("\n").splitlines())


def test_rnn_derivative_within_one_and_a_half_times_hand_bptt():
    checkout_file("examples/rnn_sequence.py")
    generated = cases.function_lines(cases.path(cases.CASES["rnn"]).read_text())
    assert generated <= 1.5 * hand_written_lines(), (generated, hand_written_lines())


def test_one_if_in_the_mlp_costs_at_most_ten_lines():
    straight = cases.function_lines(cases.path(cases.CASES["mlp"]).read_text())
    branched = cases.function_lines(cases.path(cases.CASES["mlp_if"]).read_text())
    # the done-means of issue 15: one `if` costs at most ten lines (74 -> 83 lines today)
    assert branched <= straight + 10, (straight, branched)
