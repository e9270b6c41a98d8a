"""``value_and_grad(f, has_aux=True)``: the auxiliary output is what ``f`` returns, whatever
holds the lists the function appended to and the arrays it wrote in place (a dict, a nested
dict, a namedtuple, a dataclass, an OrderedDict, an object of your class), though the adjoint
sweep pops those lists and restores those arrays; gradients against central differences
(fresh-77 A5: a list in a dict aux came back empty)."""

import collections
import dataclasses

import numpy as np
import pytest
from gradcheck import numeric_gradient as numeric
from located import assert_located

import s2s

Pair = collections.namedtuple("Pair", "hist k")


@dataclasses.dataclass
class Record:
    hist: list
    y: np.ndarray


@dataclasses.dataclass(frozen=True)
class Frozen:
    hist: list


class Holder:
    def __init__(self, hist):
        self.hist = hist


def in_dict(x):
    s = 0.0
    hist = []
    for i in range(3):
        s = s + np.sum(np.sin(x * i))
        hist.append(s)
    return s, {"hist": hist}


def literal_in_dict(x):
    hist = [x[0] * 2]
    return np.sum(x**2), {"hist": hist}


def nested(x):
    s = 0.0
    hist = []
    for i in range(3):
        s = s + np.sum(np.sin(x * i))
        hist.append(s)
    return s, {"outer": {"hist": hist}, "t": (hist, 1), "l": [hist]}


def in_namedtuple(x):
    s = 0.0
    hist = []
    for i in range(3):
        s = s + np.sum(np.sin(x * i))
        hist.append(s)
    return s, Pair(hist, 1)


def in_dataclass(x):
    y = x * 2
    y[0] = 5.0  # restored by the adjoint sweep
    hist = [x[0] * 2]
    return np.sum(y * x), Record(hist, y)


def in_frozen_dataclass(x):
    hist = [x[0] * 2]
    return np.sum(x**2), Frozen(hist)


def in_ordered_dict(x):
    hist = [x[0] * 2]
    return np.sum(x**2), collections.OrderedDict(hist=hist)


def in_object(x):
    hist = [x[0] * 2]
    return np.sum(x**2), Holder(hist)


def written_array_in_dict(x):
    y = x * 2
    y[0] = 5.0
    return np.sum(y * y), {"y": y}


def plain(value):
    """Lists, tuples, dicts and objects' attributes as plain nested Python values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [plain(v) for v in value]
    if isinstance(value, dict):
        return [type(value).__name__, {k: plain(v) for k, v in value.items()}]
    if hasattr(value, "__dict__"):
        return [type(value).__name__, plain(vars(value))]
    return float(value) if isinstance(value, (float, np.floating)) else value


CASES = [
    in_dict,
    literal_in_dict,
    nested,
    in_namedtuple,
    in_dataclass,
    in_frozen_dataclass,
    in_ordered_dict,
    in_object,
    written_array_in_dict,
]


@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
def test_aux_holds_what_f_returned(f):
    x = np.array([0.3, 0.7])
    value, aux = f(x)
    (got_value, got_aux), grad = s2s.value_and_grad(f, has_aux=True)(x)
    assert got_value == pytest.approx(value, rel=1e-12)
    assert type(got_aux) is type(aux)
    assert plain(got_aux) == plain(aux)
    np.testing.assert_allclose(grad, numeric(lambda y: f(y)[0], (x,), 0), rtol=1e-6, atol=1e-8)


def list_in_local_dict(x):
    hist = []
    for i in range(3):
        hist.append(np.sum(x * i) ** 2)
    d = {"hist": hist}  # MARK
    return d["hist"][2] + np.sum(np.stack(d["hist"]))


def list_stored_in_local_dict(x):
    hist = [x[0] * 2, x[1] ** 2]
    d = {"k": x * 3}
    d["hist"] = hist  # MARK
    return np.sum(d["k"]) + d["hist"][1]


@pytest.mark.parametrize("f", [list_in_local_dict, list_stored_in_local_dict])
def test_a_list_in_a_local_dict_is_refused_by_the_users_names(f):
    """(fresh-77 C2: the refusal named the internal `d_hist` in a broken sentence.)"""
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(np.array([0.3, 0.7]))
    message = str(info.value)
    assert "putting the list `hist` in a local dict (`d['hist'] = hist`)" in message
    assert "d_hist" not in message
    assert_located(info.value, f, "# MARK", "np.stack(hist)")


def array_in_local_dict(x):
    hist = []
    for i in range(3):
        hist.append(np.sum(x * i) ** 2)
    d = {"hist": np.stack(hist)}  # the advice
    return d["hist"][2] + np.sum(d["hist"])


def test_the_advice_works():
    x = np.array([0.3, 0.7])
    np.testing.assert_allclose(
        s2s.grad(array_in_local_dict)(x), numeric(array_in_local_dict, (x,), 0), rtol=1e-6
    )
