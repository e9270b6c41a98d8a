"""s2s.codegen.walking: ``walk`` and ``copy_tree`` give what ``gast.walk`` and
``copy.deepcopy`` give, on real trees (s2s's own modules) and on the attributes passes set;
the name collectors give the names a walk finds."""

import ast
import copy
import inspect
from collections import Counter

import gast
import pytest

import s2s.api
import s2s.reverse.tape
from s2s.codegen.emit import to_source
from s2s.codegen.walking import (
    copy_tree,
    deleted_names,
    inner_nodes,
    loaded_names,
    name_list,
    new_node,
    rewrite_calls,
    statements_in,
    stored_names,
    unstored_names,
    walk,
    walk_with_parents,
)
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


def _ast_trees():
    for module in (s2s.api, s2s.reverse.tape):
        yield ast.parse(inspect.getsource(module))


@pytest.mark.parametrize(
    "tree", [*trees(), *_ast_trees()], ids=["api", "tape", "ast-api", "ast-tape"]
)
def test_name_collectors_agree_with_walk(tree):
    names = (gast.Name, ast.Name)
    contexts = {
        loaded_names: (gast.Load, ast.Load),
        stored_names: (gast.Store, gast.Del, ast.Store, ast.Del),
        deleted_names: (gast.Del, ast.Del),
        unstored_names: (gast.Load, gast.Del, gast.Param, ast.Load, ast.Del, ast.Param),
    }
    nodes = [n for n in walk(tree) if isinstance(n, (ast.AST, gast.AST))]
    for node in nodes[::7]:  # every seventh node: statements, expressions, arguments
        found = [n for n in walk(node) if isinstance(n, names)]
        assert Counter(name_list(node)) == Counter(n.id for n in found)
        for collect, kinds in contexts.items():
            assert collect(node) == {n.id for n in found if isinstance(n.ctx, kinds)}


def test_name_collectors_on_a_tree_deeper_than_the_stack():
    tree = gast.BinOp(gast.Name("x0", gast.Load(), None, None), gast.Add(),
                      gast.Name("y", gast.Store(), None, None))  # fmt: skip
    for k in range(1, 5000):  # deeper than the interpreter's recursion limit
        tree = gast.BinOp(tree, gast.Add(), gast.Name(f"x{k % 3}", gast.Load(), None, None))
    assert Counter(name_list(tree)) == Counter({"x0": 1667, "x1": 1667, "x2": 1666, "y": 1})
    assert loaded_names(tree) == {"x0", "x1", "x2"} and stored_names(tree) == {"y"}


@pytest.mark.parametrize("tree", list(trees()), ids=["api", "tape"])
def test_walk_with_parents_is_walk_and_its_parent_map(tree):
    nodes, parents = walk_with_parents(tree)
    assert nodes == list(gast.walk(tree))
    want = {id(c): p for p in gast.walk(tree) for c in gast.iter_child_nodes(p)}
    assert parents.keys() == want.keys() and all(parents[k] is want[k] for k in want)


_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case, gast.stmt, gast.excepthandler)
_MATCHED = """
def f(x, ys):
    try:
        for y in ys:
            match y:
                case 0:
                    break
                case _:
                    g = lambda v: v
    except ValueError:
        return 1
    finally:
        del x
"""


@pytest.mark.parametrize(
    "tree",
    [*trees(), *_ast_trees(), gast.parse(_MATCHED), ast.parse(_MATCHED)],
    ids=["api", "tape", "ast-api", "ast-tape", "match", "ast-match"],
)
def test_statements_in_are_the_walk_of_statements(tree):
    holders = (*_HOLDERS, *(getattr(gast, k) for k in ("match_case",) if hasattr(gast, k)))
    starts = [n for n in walk(tree) if isinstance(n, holders)]
    assert starts
    for node in [tree, *starts[::3]]:
        want = Counter(id(n) for n in walk(node) if n is node or isinstance(n, holders))
        assert Counter(id(n) for n in statements_in(node)) == want


@pytest.mark.parametrize(
    "tree", [*trees(), *_ast_trees()], ids=["api", "tape", "ast-api", "ast-tape"]
)
def test_inner_nodes_are_the_walk_without_contexts_and_operators(tree):
    leaves = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)
    for node in [n for n in walk(tree) if isinstance(n, (ast.stmt, ast.expr))][::5]:
        want = Counter(id(n) for n in walk(node) if not isinstance(n, leaves))
        assert Counter(id(n) for n in inner_nodes(node)) == want
    deep = gast.Name("x", gast.Load(), None, None)
    for _ in range(5000):  # deeper than the interpreter's recursion limit
        deep = gast.UnaryOp(gast.USub(), deep)
    assert len(inner_nodes(deep)) == 5001


def test_statement_reads_in_a_memo_are_the_reads_and_a_new_set_each_time():
    from s2s.codegen.sweeps import reads_memo, statement_reads

    stmts = gast.parse("y = f(x) + x\nd[k] += v\nfor t in r:\n    s = s + t").body
    want = [statement_reads(s) for s in stmts]
    assert want == [{"f", "x"}, {"d", "k", "v"}, {"r", "s", "t"}]
    with reads_memo():
        first = [statement_reads(s) for s in stmts]
        first[0].add("z")  # a caller may add to what it gets
        assert [statement_reads(s) for s in stmts] == want == [
            {"f", "x"}, {"d", "k", "v"}, {"r", "s", "t"}]  # fmt: skip
    stmts[0].value.right.id = "w"  # out of the memo: read anew
    assert statement_reads(stmts[0]) == {"f", "x", "w"}


def test_new_node_is_the_node_the_constructor_makes():
    made = new_node(gast.Assign, targets=[new_node(gast.Name, id="y", ctx=new_node(gast.Store),
                                                   annotation=None, type_comment=None)],
                    value=new_node(gast.Constant, value=1.5, kind=None), type_comment=None)
    built = gast.Assign(targets=[gast.Name("y", gast.Store(), None, None)],
                        value=gast.Constant(1.5, None), type_comment=None)  # fmt: skip
    assert gast.dump(made) == gast.dump(built)
    for a, b in zip(walk(made), walk(built), strict=True):
        assert type(a) is type(b) and vars(a).keys() == vars(b).keys()
    assert to_source(made) == to_source(built) == "y = 1.5"
    assert gast.dump(copy_tree(made)) == gast.dump(built)


def _rewrite_by_fields(node, replace):
    """rewrite_calls as static_shapes wrote it: every node offered, over ast.iter_fields."""
    for field, value in gast.iter_fields(node):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, gast.AST):
                    _rewrite_by_fields(item, replace)
                    value[i] = replace(item) or item
        elif isinstance(value, gast.AST):
            _rewrite_by_fields(value, replace)
            setattr(node, field, replace(value) or value)


@pytest.mark.parametrize("tree", list(trees()), ids=["api", "tape"])
def test_rewrite_calls_replaces_as_a_walk_of_every_field(tree):
    def replace(node):  # a call of one argument becomes that argument (nested ones, inner first)
        if isinstance(node, gast.Call) and len(node.args) == 1 and not node.keywords:
            return node.args[0]
        return None

    got, want = copy_tree(tree), copy_tree(tree)
    rewrite_calls(got, replace)
    _rewrite_by_fields(want, replace)
    assert dump(got) == dump(want) != dump(tree)


def _items_only_by_walk(tree, user_name):
    """only_items_used as it was written with ast.walk and ast.iter_child_nodes."""
    from s2s.frontend.outputs import _whole_read

    return not any(_whole_read(node, child, user_name)
                   for node in walk(tree) for child in gast.iter_child_nodes(node))  # fmt: skip


@pytest.mark.parametrize("tree", [*trees(), gast.parse(
    "def f(x):\n    r = g(x)\n    a, b = r\n    y = r[0] + r[1:2] + r[i]\n    return h(r[-1])\n"
)], ids=["api", "tape", "items"])  # fmt: skip
def test_only_items_used_answers_as_the_walk(tree):
    from s2s.frontend.outputs import _read_whole

    names = sorted({n.id for n in walk(tree) if isinstance(n, gast.Name)})
    answers = {name: not _read_whole(tree, name) for name in names}
    assert answers == {name: _items_only_by_walk(tree, name) for name in names}
    assert True in answers.values() and False in answers.values()


@pytest.mark.parametrize("tree", list(trees()), ids=["api", "tape"])
def test_atom_names_are_the_loaded_names_in_walk_order(tree):
    from s2s.codegen.ir import atom_names

    extra = gast.parse("x[a:b:c, ::k, 1:] = (a, 1, b), [a, (b, c)], (d.e, f), [], (g, *h)")
    for node in [n for t in (tree, extra) for n in walk(t) if isinstance(n, gast.expr)]:
        want = [n.id for n in walk(node)
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]  # fmt: skip
        assert atom_names(node) == want
