"""Facts about numpy functions that have no derivative rule: allocations, views, in-place writes.

A call to one of these on an active value needs no rule (allocations read only shapes) or is
refused (in-place writes into a caller's array); the analyses still need to know what each
returns: the dtype and shape of a new array, or that the result may share memory with its
argument (numpy's documentation of each function says so).
"""

import numpy as np

from s2s.registry import ALLOCATION, EYE, NEW, Facts, declare
from s2s.runtime import core, kinds

for _fn in (np.zeros, np.ones, np.empty):  # np.zeros((n, m), dtype=float)
    declare(_fn, Facts(shape=ALLOCATION, dtype=NEW))
for _fn in (np.eye, np.identity):  # a new array of the dtype argument, float64 by default
    declare(_fn, Facts(shape=EYE, dtype=NEW))

VIEWS = [  # (np.matrix_transpose and np.permute_dims, numpy's np.transpose, have rules with facts)
    np.real,
    np.imag,
    np.atleast_1d,
    np.atleast_2d,
    np.atleast_3d,
]
for _fn in VIEWS:  # the result (or each part) may share memory with the argument
    declare(_fn, Facts(view=True))

for _fn in (np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis):
    declare(_fn, Facts(writes=True))  # writes into its first argument, returns None

for _fn in (core.stop_gradient, kinds.zero_grad):  # each returns its argument itself
    declare(_fn, Facts(view=True))
