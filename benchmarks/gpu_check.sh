#!/usr/bin/env bash
# The GPU check of issue 13: s2s derivatives on CuPy (tests, then the benchmark).
#
#   bash benchmarks/gpu_check.sh          # from the repository root, on a machine with a GPU
#
# Needs python with numpy, cupy, pytest, gast and astor importable (on PYTHONPATH is enough);
# JAX and PyTorch are optional benchmark columns. s2s need not be installed: the script runs
# from a scratch copy of the checkout in which templates/ sits where the installed package
# puts it (s2s/templates). Logs go to "$OUT" if set, else ./gpu_check_logs. Each step runs on
# its own, under its own time limit (about 5 minutes in all), so one failure hides nothing.
# Exit status: 0 when both steps passed, else the number of failed steps.

set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOGS="${OUT:-$ROOT/gpu_check_logs}"
mkdir -p "$LOGS"
PY="${PYTHON:-python}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/s2s-gpu-check.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/repo"
for item in s2s templates tests benchmarks examples pyproject.toml README.md; do
    [ -e "$ROOT/$item" ] && cp -r "$ROOT/$item" "$SCRATCH/repo/"
done
rm -rf "$SCRATCH/repo/s2s/templates"
cp -r "$ROOT/templates" "$SCRATCH/repo/s2s/templates"
find "$SCRATCH/repo" -name __pycache__ -prune -exec rm -rf {} + 2>/dev/null
export PYTHONPATH="$SCRATCH/repo${PYTHONPATH:+:$PYTHONPATH}"
export XLA_PYTHON_CLIENT_PREALLOCATE=false  # JAX shares the GPU with CuPy and PyTorch
cd "$SCRATCH/repo" || exit 2

echo "== versions ==" | tee "$LOGS/versions.txt"
"$PY" - <<'EOF' 2>&1 | tee -a "$LOGS/versions.txt"
import importlib
import platform
import sys

print("python", platform.python_version(), sys.executable)
for name in ("numpy", "cupy", "gast", "astor", "pytest", "jax", "torch", "s2s"):
    try:
        module = importlib.import_module(name)
        print(f"{name:>6} {getattr(module, '__version__', '?')}  {getattr(module, '__file__', '')}")
    except Exception as exc:  # noqa: BLE001
        print(f"{name:>6} NOT IMPORTABLE: {type(exc).__name__}: {exc}")
try:
    import cupy

    count = cupy.cuda.runtime.getDeviceCount()
    props = cupy.cuda.runtime.getDeviceProperties(0)
    print("GPUs:", count, "first:", props["name"].decode(), "runtime", cupy.cuda.runtime.runtimeGetVersion())
    print("cupy float64 sum on the GPU:", float(cupy.arange(10.0).sum()))
except Exception as exc:  # noqa: BLE001
    print("CuPy on the GPU: FAILED:", type(exc).__name__, exc)
try:
    import jax

    print("jax devices:", jax.devices())
except Exception as exc:  # noqa: BLE001
    print("jax devices: unavailable:", type(exc).__name__, exc)
try:
    import torch

    print("torch cuda:", torch.cuda.is_available(), torch.version.cuda)
except Exception as exc:  # noqa: BLE001
    print("torch: unavailable:", type(exc).__name__, exc)
EOF

failed=0

echo "== pytest -q tests/test_cupy.py ==" | tee "$LOGS/test_cupy.txt"
timeout 200 "$PY" -m pytest -q -p no:cacheprovider -rs --durations=5 tests/test_cupy.py \
    2>&1 | tee -a "$LOGS/test_cupy.txt"
status=${PIPESTATUS[0]}
echo "pytest exit status: $status" | tee -a "$LOGS/test_cupy.txt"
[ "$status" -eq 0 ] || failed=$((failed + 1))

echo "== python benchmarks/bench_cupy.py --quick ==" | tee "$LOGS/bench_cupy.txt"
timeout 130 "$PY" benchmarks/bench_cupy.py --quick 2>&1 | tee -a "$LOGS/bench_cupy.txt"
status=${PIPESTATUS[0]}
echo "bench_cupy exit status: $status" | tee -a "$LOGS/bench_cupy.txt"
[ "$status" -eq 0 ] || failed=$((failed + 1))

echo "== done: $failed failed step(s); logs in $LOGS ==" | tee -a "$LOGS/versions.txt"
exit "$failed"
