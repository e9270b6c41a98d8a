"""s2s.togast converts as gast does: the same node types, the same ``__dict__`` entries in the
same order (fields, then positions), the same values, over every module of s2s, its rules and
its examples, and over constructs they may not hold."""

import ast
import pathlib
import sys
import warnings

import gast
import pytest

import s2s
from s2s import registry, togast
from s2s.codegen.walking import walk

registry.load_builtin_rules()
PACKAGE = pathlib.Path(s2s.__file__).resolve().parent
RULES = pathlib.Path(sys.modules["s2s.templates"].__file__).resolve().parent
ROOT = PACKAGE.parent
FILES = sorted({*PACKAGE.rglob("*.py"), *RULES.rglob("*.py"), *(ROOT / "examples").rglob("*.py")})


def assert_same(got, want):
    got_nodes, want_nodes = list(walk(got)), list(walk(want))
    assert len(got_nodes) == len(want_nodes)
    for a, b in zip(got_nodes, want_nodes):
        assert type(a) is type(b)
        assert list(vars(a)) == list(vars(b)), type(a).__name__
        for key, value in vars(b).items():
            if not isinstance(value, (gast.AST, list)):
                assert vars(a)[key] == value or value != value, (type(a).__name__, key)
    assert gast.dump(got, include_attributes=True) == gast.dump(want, include_attributes=True)


def gasts(tree):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return gast.ast_to_gast(tree)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_converts_as_gast_converts(path):
    tree = ast.parse(path.read_text())
    assert_same(togast.to_gast(tree), gasts(tree))


SNIPPETS = [
    "async def f(*a, b=1, **k) -> int:\n    async with x as y:\n        await z\n",
    "class C(B, metaclass=M):\n    x: int = 1\n",
    "try:\n    pass\nexcept (E, F) as e:\n    raise G from e\nfinally:\n    del a\n",
    "match p:\n    case [1, *rest] | {'k': v} if v:\n        pass\n"
    "    case C(x=1):\n        pass\n",
    "f = lambda x, /, y=2, *, z: (x, y, z)\nprint(f'{x!r:>{w}}', None, True, ..., b'b', 1j)\n",
    "global g\nimport a.b as c\nfrom . import d\nwith open(p) as (a, b):\n    pass\n",
    "x = [i for i in y if i] + [*{k: v for k, v in z}]\nx[1:2, ::3] @= (yield from w)\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_constructs_convert_as_gast_converts(text):
    tree = ast.parse(text)
    assert_same(togast.to_gast(tree), gasts(tree))
    assert gast.dump(togast.parse(text)) == gast.dump(gast.parse(text))
