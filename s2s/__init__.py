"""s2s: source-to-source automatic differentiation of numpy-style Python."""

from s2s import tree
from s2s.api import Derivative, grad, jvp, value_and_grad, vjp
from s2s.checking import GradientCheckError, check_grad
from s2s.composites import hessian, hessp, hvp, jacobian
from s2s.errors import (
    ArrayTypeError,
    CotangentError,
    DisconnectedGradientError,
    DtypeError,
    MutationError,
    NamespaceError,
    NonFiniteGradientError,
    NonFiniteGradientWarning,
    NonScalarOutputError,
    NoRuleError,
    S2SError,
    SourceUnavailableError,
    TangentError,
    UndefinedGradientError,
    UnsupportedArgumentError,
    UnsupportedSyntaxError,
    UsageError,
    WrtError,
)
from s2s.registry import adjoint, d, elementwise, linear, nondifferentiable, tangent
from s2s.runtime import MemoryBudget, Undefined, stop_gradient, undefined_grad, zero_grad
from s2s.siblings import source

__all__ = [
    "ArrayTypeError",
    "CotangentError",
    "Derivative",
    "DisconnectedGradientError",
    "DtypeError",
    "GradientCheckError",
    "MemoryBudget",
    "MutationError",
    "NamespaceError",
    "NonFiniteGradientError",
    "NonFiniteGradientWarning",
    "NoRuleError",
    "NonScalarOutputError",
    "S2SError",
    "SourceUnavailableError",
    "TangentError",
    "Undefined",
    "UndefinedGradientError",
    "UnsupportedArgumentError",
    "UnsupportedSyntaxError",
    "UsageError",
    "WrtError",
    "adjoint",
    "check_grad",
    "d",
    "elementwise",
    "grad",
    "hessian",
    "hessp",
    "hvp",
    "jacobian",
    "jvp",
    "linear",
    "nondifferentiable",
    "source",
    "stop_gradient",
    "tangent",
    "tree",
    "undefined_grad",
    "value_and_grad",
    "vjp",
    "zero_grad",
]
