"""A user module where ``np`` is not numpy: generated code must reach numpy as ``_np`` only."""

import numpy

np = None
_s2s = "a user value named like the runtime"


def tanh_x(x):
    return numpy.sum(numpy.tanh(x) * x)


slice = "a user global named like a builtin"


def shifted(p):
    return numpy.sum(p[1:] * p[:-1])
