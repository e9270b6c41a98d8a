"""s2s: source-to-source automatic differentiation of numpy-style Python."""

from s2s.api import Derivative, grad, jvp, source, value_and_grad, vjp
from s2s.checking import GradientCheckError, check_grad
from s2s.composites import hessian, hvp, jacobian
from s2s.errors import (
    ArrayTypeError,
    CotangentError,
    DisconnectedGradientError,
    DtypeError,
    MutationError,
    NamespaceError,
    NonScalarOutputError,
    NoRuleError,
    S2SError,
    SourceUnavailableError,
    TangentError,
    UndefinedGradientError,
    UnsupportedArgumentError,
    UnsupportedSyntaxError,
    WrtError,
)
from s2s.registry import adjoint, d, elementwise, linear, nondifferentiable, tangent
from s2s.runtime import Undefined, stop_gradient, undefined_grad, zero_grad

__all__ = [
    "ArrayTypeError",
    "CotangentError",
    "Derivative",
    "DisconnectedGradientError",
    "DtypeError",
    "GradientCheckError",
    "MutationError",
    "NamespaceError",
    "NoRuleError",
    "NonScalarOutputError",
    "S2SError",
    "SourceUnavailableError",
    "TangentError",
    "Undefined",
    "UndefinedGradientError",
    "UnsupportedArgumentError",
    "UnsupportedSyntaxError",
    "WrtError",
    "adjoint",
    "check_grad",
    "d",
    "elementwise",
    "grad",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "linear",
    "nondifferentiable",
    "source",
    "stop_gradient",
    "tangent",
    "undefined_grad",
    "value_and_grad",
    "vjp",
    "zero_grad",
]
