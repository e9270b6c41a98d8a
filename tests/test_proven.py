"""Proven-shape templates (s2s/proven.py): every one, from the registry of variants, is checked
against central differences in float64 and against the float64 gradient in float32, at operands
of its kinds, and the generated code shows it was the one used (no general runtime helper)."""

import numpy as np
import pytest
from gradcheck import check_directional, check_low_precision

import s2s
from s2s import registry
from s2s.proven import _VARIANTS, RANKS

registry.load_builtin_rules()
CASES = [
    (name, kinds, variant)
    for name, variants in sorted(_VARIANTS.items())
    for kinds, variant in variants
]
SHAPES = {1: (3,), 2: (3, 3)}  # square: either operand can be a vector or a matrix


def _caller(primal):
    def product(a, b):
        return np.sin(primal(a, b))

    return product


IDS = [f"{name}:{'-'.join(kinds)}" for name, kinds, _ in CASES]


@pytest.mark.parametrize("name, kinds, variant", CASES, ids=IDS)
def test_each_proven_template_agrees_with_differences(name, kinds, variant):
    rng = np.random.default_rng(7)
    args = [rng.normal(size=SHAPES[RANKS[kind]]) for kind in kinds]
    product = _caller(variant.primal)
    check_directional(product, args, (0, 1), rng)
    check_low_precision(product, args, (0, 1), "float32", rng)
    derivative = s2s.grad(lambda a, b: np.sum(product(a, b)), wrt=(0, 1))
    derivative(*args)
    assert "_grad_" not in derivative.source, derivative.source  # dot_grad_a, matmul_grad_x1


def test_every_product_of_vectors_and_matrices_has_a_proven_template():
    """dot of any two ranks, matmul and linalg.matmul of all but two vectors (a vector @ a
    vector is an inner product: matmul's own helper is already plain there)."""
    kinds = {name: {k for k, _ in variants} for name, variants in _VARIANTS.items()}
    pairs = {(a, b) for a in RANKS for b in RANKS}
    assert kinds["numpy.dot"] == pairs
    assert kinds["numpy.matmul"] == pairs - {("vector", "vector")}
    assert kinds["numpy.linalg.matmul"] == kinds["numpy.matmul"]
