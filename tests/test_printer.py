"""s2s.codegen.printer writes, for the statements it knows, the very text astor writes (the
generated code's style, and the goldens, stay as they were): statement by statement over s2s's
runtime and rules, over edge cases of precedence, quoting and numbers, and over whole
derivatives; anything else it leaves to astor (``Unsupported``)."""

import pathlib
import sys
import warnings

import gast
import numpy as np
import pytest

import s2s
from s2s import registry
from s2s.codegen import emit, printer
from s2s.codegen.walking import walk

registry.load_builtin_rules()
PACKAGE = pathlib.Path(s2s.__file__).resolve().parent
RULES = pathlib.Path(sys.modules["s2s.templates"].__file__).resolve().parent
CORPUS = sorted([*(PACKAGE / "runtime").glob("*.py"), *RULES.glob("*.py"),
                 *(PACKAGE / "codegen").glob("*.py")])  # fmt: skip


def astor_says(node: gast.AST) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return emit._astor_texts([emit.to_ast(node)])[0]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_statement_it_writes_is_astors_text(path):
    written = 0
    for node in walk(gast.parse(path.read_text())):
        if not isinstance(node, (gast.stmt, gast.expr)) or isinstance(node, gast.FunctionDef):
            continue
        try:
            text = printer.astor_text(node)
        except printer.Unsupported:
            continue
        assert text == astor_says(node), gast.dump(node)
        written += 1
    assert written


CASES = [
    "a = (-b) ** 2", "a = -b ** 2", "a = 2 ** -1", "a = -1.5 ** 2", "a = (-1.5) ** 2",
    "a = (a + b) * c - d / (e - f)", "a = a - (b - c)", "a = a ** b ** c", "a = (a ** b) ** c",
    "a = x[::2, 1, None, ...]", "a = x[i][:, j]", "a = x[1:n:None]", "a = x[(1, 2)]",
    "a = (1,)", "a = ()", "a = 1, 2", "a, *b = c", "(a, b), c = d", "a = b = c",
    "a = 'text'", "a = 'it''s'", "a = b'raw'", "a = u'kind'", "a = f('''two\nlines''')",
    "a = g('one line that is long enough to be worth three quotes, with a \\n in it', b)",
    "_s2s.check('a\\nb\\n    c\\n', 'file.py', 12)",
    "a = 1e-300 + 0.1", "a = True.real", "a = (1).real", "a = {1: b, 'k': c, **d}",
    "a = {1, 2}", "a = {*()}", "a = [b, *c]", "a = not b", "a = not (b and c)",
    "a = b < c < d", "a = b is not None", "a = b not in c", "a = (b < c) == d",
    "a = b if c else d if e else f", "a = (b if c else d) + 1", "a = -(-x)", "a = ~x + +y",
    "a = f(x, *rest, key=1, **more)", "a = f((x, y))", "a = f(x)(y).z[0]", "a = (b + c).d",
    "a = x @ y.T", "a = b % c // d << e >> f & g ^ h | i", "a = b or c and d",
    "d_x += _s2s.unbroadcast(d_y * w, x)", "x[k] -= v", "del a, b[1], c.d",
    "a = _np.sum(x, axis=(0, 1), keepdims=True)", "return", "return a, b", "return (a, b)[0]",
    "global a, b", "pass",
    "if a:\n    b = 1\nelif c:\n    pass\nelse:\n    d = 2",
    "if a:\n    b = 1\nelse:\n    if c:\n        d = 2\n    e = 3",
    "for i in range(n):\n    if i:\n        continue\n    break\nelse:\n    x = 1",
    "for i, (j, k) in (a, b):\n    pass", "while a < b:\n    a += 1\nelse:\n    b = None",
    "with _np.errstate(all='ignore'), f(x) as (a, b):\n    y = 1 / x",
]


@pytest.mark.parametrize("text", CASES)
def test_edge_cases_are_astors_text(text):
    for node in gast.parse(text).body:
        assert printer.astor_text(node) == astor_says(node)
        expression = getattr(node, "value", None)
        if isinstance(expression, gast.expr):  # an expression alone, as to_source prints one
            assert printer.astor_text(expression) == astor_says(expression)


@pytest.mark.parametrize("text", [
    "a = lambda x: x", "a = [x for x in y]", "a = f'{x}'", "def f():\n    pass",
    "try:\n    pass\nexcept E:\n    pass", "for i in x:\n    a = lambda: i", "a = (b := c)",
])  # fmt: skip
def test_what_it_does_not_write_goes_to_astor(text):
    node = gast.parse(text).body[0]
    with pytest.raises(printer.Unsupported):
        printer.astor_text(node)
    assert emit.to_source(node) == astor_says(node)


@pytest.mark.parametrize("value", [float("inf"), -float("inf"), float("nan"), 1j, 2 + 3j])
def test_numbers_astor_spells_its_own_way_go_to_astor(value):
    node = gast.Assign(targets=[gast.Name("a", gast.Store(), None, None)],
                       value=gast.Constant(value, None), type_comment=None)  # fmt: skip
    with pytest.raises(printer.Unsupported):
        printer.astor_text(node)
    assert emit.to_source(node) == astor_says(node)


def loop(w, x):
    h = np.zeros(w.shape[0])
    for t in range(x.shape[0]):
        if t % 2:
            h = np.tanh(w @ h + x[t] * 0.5)
        else:
            h = -h ** 2 / (1.0 + h)
    return np.sum(h * h)


def straight(x, w):
    y = np.exp(-(x @ w) ** 2) + np.sin(x[1:, ::2].sum(axis=0, keepdims=True)).sum() * w[:1]
    return np.sum(y) if y.ndim else y


@pytest.mark.parametrize("func, wrt", [(loop, (0,)), (straight, (0, 1))])
def test_a_derivative_reads_as_astor_wrote_it(monkeypatch, func, wrt):
    x, w = np.linspace(0.1, 0.9, 12).reshape(4, 3), np.linspace(-1, 1, 9).reshape(3, 3)
    args = (w, x) if func is loop else (x, w)
    written = []
    monkeypatch.setattr(emit, "astor_text", lambda node: written.append(node) or
                        printer.astor_text(node))  # fmt: skip
    fast = s2s.grad(func, wrt=wrt)
    fast(*args)
    assert written  # this printer wrote the statements
    s2s.api.clear_cache(func)

    def astor_only(node):
        raise printer.Unsupported("astor")

    monkeypatch.setattr(emit, "astor_text", astor_only)
    slow = s2s.grad(func, wrt=wrt)
    slow(*args)
    assert fast.source == slow.source
