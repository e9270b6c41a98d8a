"""s2s: source-to-source automatic differentiation of numpy-style Python."""

from s2s.api import Derivative, grad, source, value_and_grad, vjp
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
    UndefinedGradientError,
    UnsupportedArgumentError,
    UnsupportedSyntaxError,
    WrtError,
)
from s2s.registry import adjoint, d, elementwise, linear, nondifferentiable
from s2s.runtime import Undefined, stop_gradient, undefined_grad, zero_grad

__all__ = [
    "ArrayTypeError",
    "CotangentError",
    "Derivative",
    "DisconnectedGradientError",
    "DtypeError",
    "MutationError",
    "NamespaceError",
    "NoRuleError",
    "NonScalarOutputError",
    "S2SError",
    "SourceUnavailableError",
    "Undefined",
    "UndefinedGradientError",
    "UnsupportedArgumentError",
    "UnsupportedSyntaxError",
    "WrtError",
    "adjoint",
    "d",
    "elementwise",
    "grad",
    "linear",
    "nondifferentiable",
    "source",
    "stop_gradient",
    "undefined_grad",
    "value_and_grad",
    "vjp",
    "zero_grad",
]
