"""Every module of s2s, its templates and examples survives gast -> emit -> compile (STYLE 9),
and the doctests of the passes hold."""

import doctest
import importlib
import pathlib

import gast
import pytest

from s2s.codegen.emit import to_source

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = sorted(
    p
    for folder in ("s2s", "templates", "examples", "benchmarks")
    for p in (ROOT / folder).rglob("*.py")
)


@pytest.mark.parametrize("use_astor", [True, False], ids=["astor", "ast.unparse"])
@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_round_trips_through_gast_and_the_printer(path, use_astor):
    tree = gast.parse(path.read_text())
    text = "\n".join(to_source(stmt, use_astor) for stmt in tree.body)
    code = compile(text, str(path), "exec")
    reparsed = gast.parse(text)
    assert gast.dump(reparsed) == gast.dump(gast.parse(to_source_all(reparsed, use_astor)))
    assert code.co_filename == str(path)


def to_source_all(tree, use_astor):
    return "\n".join(to_source(stmt, use_astor) for stmt in tree.body)


MODULES = ["s2s.frontend.fence", "s2s.frontend.normalize"]


@pytest.mark.parametrize("module", MODULES)
def test_pass_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0
