"""s2s.codegen.walking: ``walk`` and ``copy_tree`` give what ``gast.walk`` and
``copy.deepcopy`` give, on real trees (s2s's own modules) and on the attributes passes set."""

import copy
import inspect

import gast
import pytest

import s2s.api
import s2s.reverse.tape
from s2s.codegen.walking import copy_tree, walk
from s2s.frontend.resolve import Target


def trees():
    for module in (s2s.api, s2s.reverse.tape):
        yield gast.parse(inspect.getsource(module))


def dump(node):
    return gast.dump(node)


@pytest.mark.parametrize("tree", list(trees()), ids=["api", "tape"])
def test_walk_visits_as_gast_walk(tree):
    assert list(walk(tree)) == list(gast.walk(tree))


@pytest.mark.parametrize("tree", list(trees()), ids=["api", "tape"])
def test_copy_tree_copies_as_deepcopy(tree):
    got, want = copy_tree(tree), copy.deepcopy(tree)
    assert dump(got) == dump(want)
    originals = {id(n) for n in walk(tree)}
    assert not originals & {id(n) for n in walk(got)}  # every node is new
    for a, b in zip(walk(got), walk(tree), strict=True):
        assert type(a) is type(b) and vars(a).keys() == vars(b).keys()
        assert [getattr(a, k) for k in ("lineno", "col_offset") if hasattr(b, k)] == [
            getattr(b, k) for k in ("lineno", "col_offset") if hasattr(b, k)
        ]


def test_copy_tree_copies_what_passes_attach_and_keeps_sharing():
    stmt = gast.parse("y = f(x) + x").body[0]
    shared = stmt.value.right
    stmt.value.left.args.append(shared)  # one node in two places
    stmt.s2s_target = Target(len, "builtin", "len", ())
    stmt.s2s_notes = {"kept": [1, 2]}
    got = copy_tree(stmt)
    assert got.value.left.args[1] is got.value.right and got.value.right is not shared
    assert got.s2s_target == stmt.s2s_target
    assert got.s2s_notes == stmt.s2s_notes and got.s2s_notes is not stmt.s2s_notes
    assert got.s2s_notes["kept"] is not stmt.s2s_notes["kept"]
    got.targets[0].id = "z"
    assert stmt.targets[0].id == "y"
    memo = {}
    pair = copy_tree([stmt, stmt], memo)
    assert pair[0] is pair[1] and memo[id(stmt)] is pair[0]
