"""``s2s.sources.def_block``: a ``def``'s lines found from its code object give the tree that
``inspect.getsource`` gives, or no block at all (then parsing asks ``inspect``)."""

import ast
import importlib.util
import inspect
import linecache
import textwrap
import types

import pytest

from s2s import registry
from s2s.sources import def_block, parsed_def

TRICKY = '''
import functools


def plain(x):
    return x + 1


@functools.lru_cache(
    maxsize=None
)
def decorated(x):
    y = x * 2
    return y


def trailing_pass(x):
    y = x
    pass


def trailing_string(x):
    y = x
    """a string
at column zero
"""


def docstring_only():
    """doc
text at column zero
"""


def bracket(x):
    return [x,
1]
# a comment at column zero after
    # a deeper comment


def one_liner(x): return x


def outer(x):
    def inner(y):
        return y * 2
    return inner(x)


def nested_last(x):
    def inner(y):
        return y * 2


class K:
    def method(self, x):
        return x

    @staticmethod
    def static(x):
        if x:
            return 1
        else:
            pass


def params(a,
b):
    return a + b


def continued(x):
    y = x + \\
1
    return y


def wrapping(x):
    return x


@functools.wraps(wrapping)
def wrapper(x):
    return wrapping(x)


def last_comment(x):
    return x
    # a trailing comment at the body's column
after = 1
'''

KINDS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _dump(tree):
    return ast.dump(tree, include_attributes=True)


def _compare(func):
    """``(found, same)``: whether a block was found that parses as one def, and whether its
    tree is inspect's, positions included."""
    lines = linecache.getlines(func.__code__.co_filename, func.__globals__)
    block = def_block(func, lines)
    mine = None if block is None else parsed_def(block, ast.parse, KINDS)
    if mine is None:
        return False, None
    return True, _dump(mine) == _dump(ast.parse(textwrap.dedent(inspect.getsource(func))))


@pytest.fixture(scope="module")
def tricky(tmp_path_factory):
    path = tmp_path_factory.mktemp("sources") / "tricky_defs.py"
    path.write_text(TRICKY)
    spec = importlib.util.spec_from_file_location("tricky_defs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", [
    "plain", "decorated", "trailing_pass", "trailing_string", "bracket", "one_liner", "outer",
    "nested_last", "K.method", "K.static", "params", "continued", "last_comment",
])  # fmt: skip
def test_a_found_block_parses_to_the_tree_inspect_reads(tricky, name):
    func = tricky
    for part in name.split("."):
        func = getattr(func, part)
    func = getattr(func, "__wrapped__", func)  # lru_cache's: inspect reads the def under it
    found, same = _compare(func)
    assert found and same, name


def test_no_block_where_inspect_must_decide(tricky):
    # a string going on at column zero past the last instruction: the block does not parse
    assert _compare(tricky.docstring_only) == (False, None)
    # a function that wraps another: inspect reads the wrapped one's source
    assert def_block(tricky.wrapper, linecache.getlines(tricky.__file__)) is None
    lam = types.FunctionType((lambda x: x).__code__, {})
    assert def_block(lam, linecache.getlines(__file__)) is None


def test_every_builtin_template_block_is_inspects():
    templates = [t for r in registry.all_rules().values() for t in (r.template, r.tangent)
                 if isinstance(t, types.FunctionType)]  # fmt: skip
    assert len(templates) > 400
    results = [_compare(t) for t in templates]
    assert all(found and same for found, same in results)
