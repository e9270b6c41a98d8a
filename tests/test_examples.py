"""Run each example and the benchmarks in a fast mode as a subprocess; check the output."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from checkout import checkout_file

ROOT = Path(__file__).resolve().parent.parent


def run(script, *args):
    """Run ROOT/script with this interpreter and return its stdout; fail if it exits non-zero
    (skip outside a source checkout, where the examples are not installed)."""
    proc = subprocess.run(
        [sys.executable, str(checkout_file(script)), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, (
        f"{script} {' '.join(args)} exited {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    return proc.stdout


def number(pattern, text):
    """The float captured by pattern's first group in text."""
    match = re.search(pattern, text)
    assert match, f"no match for {pattern!r} in:\n{text}"
    return float(match.group(1))


def test_train_mlp_fast():
    pytest.importorskip("sklearn")
    out = run("examples/train_mlp.py", "--fast", "--show-source")
    source = out.split("generated derivative of loss:", 1)[1]
    assert "def " in source and "return" in source
    assert len(re.findall(r"^epoch +\d+/3 ", out, flags=re.M)) == 3
    losses = [float(v) for v in re.findall(r"^epoch .* loss ([0-9.]+)", out, flags=re.M)]
    assert losses == sorted(losses, reverse=True), f"training loss did not decrease: {losses}"
    assert number(r"final test accuracy: ([0-9.]+)", out) >= 0.90


def test_logistic_regression_fast():
    pytest.importorskip("sklearn")
    pytest.importorskip("scipy")
    out = run("examples/logistic_regression.py", "--fast")
    ours = number(r"test accuracy \(s2s\): ([0-9.]+)", out)
    theirs = number(r"test accuracy \(scikit-learn\): ([0-9.]+)", out)
    assert ours >= 0.93
    assert abs(ours - theirs) <= 0.03
    # scikit-learn minimizes the same objective, so the s2s gradient vanishes at its solution.
    assert number(r"gradient norm at scikit-learn's solution: ([0-9.e+-]+)", out) < 1e-4


def test_rosenbrock():
    pytest.importorskip("scipy")
    out = run("examples/rosenbrock.py", "--fast")
    assert number(r"gradient ([0-9.e+-]+)", out) < 1e-10
    assert "converged: True" in out
    assert number(r"distance to optimum: ([0-9.e+-]+)", out) < 1e-4


def test_run_all_quick_checks_agreement():
    out = run("benchmarks/run_all.py", "--quick", "--only", "rosenbrock")
    row = r"^  s2s +time +[0-9.]+ +build +[0-9.]+ +mem [0-9.]+ .*agree yes"
    assert re.search(row, out, flags=re.M)
    assert "gradients agree: True" in out


def test_build_times_prints_one_figure_per_workload_named():
    out = run("benchmarks/build_times.py", "--reps", "1", "MLP", "Rosenbrock")
    assert re.fullmatch(r"MLP=[0-9.]+ Rosenbrock=[0-9.]+\n", out)


def test_bench_mlp_quick():
    out = run("benchmarks/bench_mlp.py", "--quick", "--repeats", "5")
    assert "gradients agree: True" in out
    assert re.search(r"^ +256 \|", out, flags=re.M)
    assert "generation, cold:" in out and "generation, warm:" in out


def test_rnn_sequence_fast():
    pytest.importorskip("statsmodels")
    out = run("examples/rnn_sequence.py", "--fast", "--show-source")
    source = out.split("generated derivative of loss:", 1)[1]
    assert "def " in source and "for " in source and "return" in source
    losses = [
        float(v) for v in re.findall(r"^epoch +\d+/10 +train loss ([0-9.]+)", out, flags=re.M)
    ]
    assert len(losses) == 10
    assert losses[-1] < 0.8 * losses[0], f"training loss did not fall: {losses}"
    rnn = number(r"held-out RMSE \(sunspot number\): RNN ([0-9.]+)", out)
    naive = number(r"naive \(last year\) ([0-9.]+)", out)
    assert rnn < naive


def test_pendulum_fit():
    pytest.importorskip("scipy")
    out = run("examples/pendulum_fit.py", "--fast")
    assert number(r"vs central differences: relative error ([0-9.e+-]+)", out) < 1e-6
    assert number(r"length: .* error ([0-9.]+)%", out) < 3.0
    assert number(r"damping: .* error ([0-9.]+)%", out) < 3.0
    assert "recovered within 3%: True" in out


def test_bench_rnn_quick():
    out = run("benchmarks/bench_rnn.py", "--quick", "--repeats", "5")
    assert "gradients agree: True" in out
    assert re.search(r"^ +[0-9.]+ +[0-9.]+ +[0-9.]+ \| .*\| yes", out, flags=re.M)
    assert "generation, cold:" in out and "generation, warm:" in out


def test_dask_logistic_fast():
    """Logistic regression on a Dask LocalCluster: the fit matches numpy's on a subsample."""
    pytest.importorskip("dask.array")
    pytest.importorskip("distributed")
    pytest.importorskip("scipy")
    out = run("examples/dask_logistic.py", "--fast")
    assert "converged: True" in out
    assert number(r"dask vs numpy: relative difference ([0-9.e+-]+)", out) < 1e-10
    diff = number(r"numpy subsample fit\| = ([0-9.]+)", out)
    assert diff < number(r"\(tolerance ([0-9.]+)\)", out)
    assert "checks passed: True" in out


def test_newton_cg_fast():
    pytest.importorskip("sklearn")
    pytest.importorskip("scipy")
    out = run("examples/newton_cg.py", "--fast", "--show-source")
    assert number(r"hvp vs central differences of the gradient: relative error ([0-9.e+-]+)",
                  out) < 1e-6  # fmt: skip
    iterations = {
        m: int(number(rf"(?m)^{m} +(\d+) ", out)) for m in ("Newton-CG", "trust-krylov", "BFGS")
    }
    assert iterations["Newton-CG"] < iterations["BFGS"]  # curvature from exact products
    assert number(r"final objectives agree within ([0-9.e+-]+)", out) < 1e-7
    assert "def jvp_d_objective" in out.split("generated Hessian-vector product", 1)[1]


def test_sensitivity_fast(tmp_path):
    out = run("examples/sensitivity.py", "--fast", "--plot", str(tmp_path / "plot.png"))
    assert "mode chosen: forward" in out
    assert re.search(r"jacobian shape \(300, 2, 4\)", out)
    assert number(r"vs central differences: relative error ([0-9.e+-]+)", out) < 1e-6
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "no plot" in out
    else:
        assert (tmp_path / "plot.png").stat().st_size > 0


def test_bench_hvp_quick():
    out = run("benchmarks/bench_hvp.py", "--quick", "--repeats", "5")
    assert number(r"vs central differences: ([0-9.e+-]+)", out) < 1e-6
    assert re.search(r"^tall: .*\| +forward ", out, flags=re.M)
    assert re.search(r"^wide: .*\| +reverse ", out, flags=re.M)
    assert "hvp/grad at most" in out and "auto/other at most" in out


def test_train_mlp_dict_fast():
    pytest.importorskip("sklearn")
    out = run("examples/train_mlp_dict.py", "--fast", "--show-source")
    source = out.split("generated derivative of loss:", 1)[1]
    assert "d_params_layers_0_w" in source and "d_params_out_b" in source
    losses = [float(v) for v in re.findall(r"^epoch .* loss ([0-9.]+)", out, flags=re.M)]
    assert len(losses) == 3 and losses == sorted(losses, reverse=True), losses
    assert "gradient keys: ['activation', 'layers', 'out'], layer keys: ['b', 'w']" in out
    assert number(r"final test accuracy: ([0-9.]+)", out) >= 0.90


def test_train_mlp_dict_with_one_layer_trains_as_the_arrays_version():
    """With train_mlp.py's model (one hidden layer of 64, no L2) the dict version draws the
    same initial weights and takes the same steps: the same losses and test accuracy."""
    pytest.importorskip("sklearn")
    as_dict = run("examples/train_mlp_dict.py", "--fast", "--hidden", "64", "--l2", "0")
    as_arrays = run("examples/train_mlp.py", "--fast")

    def epochs(out):
        return re.findall(r"^epoch .* loss ([0-9.]+) .* test acc ([0-9.]+)", out, flags=re.M)

    assert epochs(as_dict) == epochs(as_arrays) and len(epochs(as_dict)) == 3
    accuracy = r"final test accuracy: ([0-9.]+)"
    assert number(accuracy, as_dict) == number(accuracy, as_arrays) >= 0.95


def test_gp_regression_fast():
    pytest.importorskip("scipy")
    out = run("examples/gp_regression.py", "--fast")
    assert "gradient type: Hyper, kernel label's gradient: None" in out
    assert number(r"gradient norm at the optimum: ([0-9.e+-]+)", out) < 1e-3
    assert 0.04 < number(r"noise std ([0-9.]+)", out) < 0.2  # the data's noise std is 0.1
    assert number(r"test RMSE against sin\(3x\): ([0-9.]+)", out) < 0.15
