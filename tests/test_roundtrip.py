"""Every module of s2s, its templates and examples survives gast -> emit's printer with its
meaning intact (STYLE 9): the printed text parses to the same Python AST as the original file,
and compiles; the doctests of the passes hold.

The comparison is with the original file's AST (``ast.dump`` without positions), never with a
second round trip, so a printer that drops or changes a statement, an operator or a constant
fails here. The default run checks the generated code's own vocabulary (s2s's runtime and rules)
with both printers; ``-m slow`` checks every module.
"""

import ast
import doctest
import importlib
import pathlib
import sys
import warnings

import gast
import numpy as np
import pytest

import s2s
from s2s import registry
from s2s.codegen.emit import Writer, to_ast, to_source
from s2s.codegen.sweeps import Block

registry.load_builtin_rules()  # the checkout's templates/ (or the installed s2s/templates)
PACKAGE = pathlib.Path(s2s.__file__).resolve().parent
RULES = pathlib.Path(sys.modules["s2s.templates"].__file__).resolve().parent
ROOT = PACKAGE.parent
FAST = sorted([*(PACKAGE / "runtime").glob("*.py"), *RULES.glob("*.py")])
EVERY = sorted(
    {*PACKAGE.rglob("*.py"), *RULES.rglob("*.py")}
    | {p for folder in ("examples", "benchmarks") for p in (ROOT / folder).rglob("*.py")}
)
SLOW = [p for p in EVERY if p not in FAST]


def _id(path: pathlib.Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def round_trip(path: pathlib.Path, use_astor: bool) -> None:
    original = path.read_text()
    text = "\n".join(to_source(stmt, use_astor) for stmt in gast.parse(original).body)
    assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(original)), (
        f"{path}: the printed module means something else than the file"
    )
    assert compile(text, str(path), "exec").co_filename == str(path)


PRINTERS = pytest.mark.parametrize("use_astor", [True, False], ids=["astor", "ast.unparse"])


@PRINTERS
@pytest.mark.parametrize("path", FAST, ids=_id)
def test_runtime_and_rules_round_trip(path, use_astor):
    round_trip(path, use_astor)


@pytest.mark.slow
@PRINTERS
@pytest.mark.parametrize("path", SLOW, ids=_id)
def test_every_module_round_trips(path, use_astor):
    round_trip(path, use_astor)


def test_a_changed_statement_is_seen():
    """The comparison can fail: one operator changed in a module is a different AST."""
    original = (PACKAGE / "runtime" / "shapes.py").read_text()
    changed = original.replace(" + ", " - ", 1)
    assert changed != original
    assert ast.dump(ast.parse(changed)) != ast.dump(ast.parse(original))


# every module of s2s whose docstrings hold an example (a pass shows its before and after)
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in PACKAGE.rglob("*.py")
    if ">>> " in path.read_text()
)


@pytest.mark.parametrize("module", MODULES)
def test_pass_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0


# the passes whose module docstring shows a small before/after example (STYLE 5)
PASSES = [
    "s2s.frontend.fence", "s2s.frontend.control", "s2s.frontend.normalize",
    "s2s.frontend.assignments", "s2s.frontend.lifting", "s2s.frontend.outputs",
    "s2s.frontend.structure", "s2s.frontend.resolve", "s2s.frontend.expressions",
    "s2s.frontend.normstate", "s2s.frontend.listuse",
    "s2s.analysis.activity", "s2s.analysis.aliasing", "s2s.analysis.dtypes",
    "s2s.analysis.static_shapes",
    "s2s.reverse.sweep", "s2s.reverse.buffers", "s2s.reverse.selection", "s2s.reverse.markers",
    "s2s.reverse.tape", "s2s.reverse.flow", "s2s.reverse.deadcode", "s2s.reverse.state",
    "s2s.reverse.calls", "s2s.reverse.adjoints", "s2s.reverse.taping", "s2s.reverse.branches",
    "s2s.reverse.loops", "s2s.reverse.detaching",
    "s2s.codegen.optimize", "s2s.codegen.placeholders", "s2s.codegen.copies",
    "s2s.codegen.endings", "s2s.codegen.reassemble", "s2s.codegen.guards", "s2s.forward.sweep",
]  # fmt: skip


@pytest.mark.parametrize("module", PASSES)
def test_each_pass_shows_an_example(module):
    assert module in MODULES, f"{module}'s docstrings show no example"


def test_writer_checks_astor_texts_together_and_falls_back_one_by_one():
    """Writer.text() parses astor's texts of each batch once; a statement astor mis-prints (an
    f-string whose quotes it swaps into a syntax error) sends the batch through to_source one
    by one, which prints that statement with ast.unparse. Before (``text(checked=False)``,
    what compile_factory compiles first) the texts are astor's as they are."""
    lines = ["a = x * 2.0", "y = f'{x[\"a\"]}{y}\"'", "for t in range(n):\n    b = a + t"]
    body = [gast.parse(line).body[0] for line in lines]
    writer = Writer()
    writer.blocks([Block("line 1: y = ...", body)], 0)
    with pytest.raises(SyntaxError):  # astor's misprint, unchecked
        ast.parse(writer.text(checked=False))
    printed = "\n".join(writer.text().splitlines()[1:])
    assert printed == "\n".join(to_source(stmt) for stmt in body)
    assert ast.dump(ast.parse(printed)) == ast.dump(ast.parse("\n".join(lines)))
    good = Writer()
    good.blocks([Block(None, [body[0], body[2]])], 1)
    assert good.text(checked=False) == good.text()
    assert good.lines == ["    a = x * 2.0", "    for t in range(n):", "        b = a + t"]


_LABELS = {"a": "b"}


def _warns_with_an_fstring(x):
    warnings.warn(f'{_LABELS["a"]}{x.shape}"', stacklevel=2)
    return np.sum(x * 2.0)


def test_a_derivative_whose_statement_astor_misprints_compiles_with_it_reprinted():
    """compile_factory compiles astor's texts unchecked; where that fails (the f-string
    above), the text is made again with each batch checked, and that statement reprinted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradient = s2s.grad(_warns_with_an_fstring)
        assert np.array_equal(gradient(np.ones(3)), np.full(3, 2.0))
    # the reprint is ast.unparse's, whose quoting of f-strings differs across Python versions
    # (3.12 nests quotes): compare the statement's tree, not its text
    (line,) = [t.strip() for t in gradient.source.splitlines() if t.strip().startswith("value_1 =")]
    expected = "value_1 = f\"{_LABELS['a']}{x.shape}\\\"\""
    assert ast.dump(ast.parse(line)) == ast.dump(ast.parse(expected))


@pytest.mark.parametrize("path", FAST[:6], ids=_id)
def test_to_ast_builds_what_gast_converts(path):
    """emit.to_ast (the printer's converter) gives gast.gast_to_ast's tree, positions too."""
    tree = gast.parse(path.read_text())
    nodes = [n for n in gast.walk(tree) if isinstance(n, (gast.stmt, gast.expr))]
    assert nodes
    for node in nodes:
        want = ast.dump(gast.gast_to_ast(node), include_attributes=True)
        assert ast.dump(to_ast(node), include_attributes=True) == want
