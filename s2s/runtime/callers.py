"""Callers: ``f(a0, ..., an)`` for ``n`` of 1 to 6, as functions with source.

s2s differentiates a call of a function passed in as any call (a Python function by a
sub-derivative, a numpy function by its rule), so ``pullback_of(CALLERS[2], ("a0", "a1"))``
is the VJP of ``f`` in its two arguments whatever ``f`` is: the runtime helpers of
``numpy.vectorize`` (:mod:`s2s.runtime.vectorized`) use it for a function that is not a plain
Python function of its own (a numpy function, a method, a function of ``*args``).
"""

from __future__ import annotations


def _call1(f, a0):
    return f(a0)


def _call2(f, a0, a1):
    return f(a0, a1)


def _call3(f, a0, a1, a2):
    return f(a0, a1, a2)


def _call4(f, a0, a1, a2, a3):
    return f(a0, a1, a2, a3)


def _call5(f, a0, a1, a2, a3, a4):
    return f(a0, a1, a2, a3, a4)


def _call6(f, a0, a1, a2, a3, a4, a5):
    return f(a0, a1, a2, a3, a4, a5)


# ``pyfunc`` reached through an argument of a function with source: s2s differentiates the
# call ``f(a0, a1)`` as any call of a function passed in (a Python function, a numpy function
# with a rule), with respect to the elements it is given
CALLERS = (None, _call1, _call2, _call3, _call4, _call5, _call6)
NAMES = ("a0", "a1", "a2", "a3", "a4", "a5")
