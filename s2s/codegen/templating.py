"""Templating: instantiate a rule template at one call site as statements and contributions."""

from __future__ import annotations

import builtins
import functools
import linecache
import types
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.codegen.ir import NameAllocator
from s2s.codegen.walking import copy_tree, new_node, walk
from s2s.errors import LocatedError, Location
from s2s.families import LibraryObject


@dataclass
class Contribution:
    """``expr`` to be added into the adjoint of the argument bound to ``param``.

    ``key`` is set for a scatter-add (``d[x][key] = expr``); ``sequence`` when ``param`` is bound
    to several arguments (a literal list or varargs) and ``expr`` gives one part per argument.
    """

    param: str
    expr: gast.expr
    key: gast.expr | None = None
    sequence: bool = False
    zero_where: gast.expr | None = None  # where this contribution is exactly zero (a selection)


LOAD = gast.Load()  # one context for the names made here, as ``ast.parse`` shares its own


def name(id_: str) -> gast.Name:
    return new_node(gast.Name, id=id_, ctx=LOAD, annotation=None, type_comment=None)


def constant(value: Any) -> gast.expr:
    """A literal for a template default (``None``, numbers, strings, tuples of them)."""
    if isinstance(value, tuple):
        return gast.Tuple(elts=[constant(v) for v in value], ctx=gast.Load())
    return new_node(gast.Constant, value=value, kind=None)


class TemplateError(LocatedError):
    """A template uses something outside the template contract (a bug in a rule); located at
    the template."""


def _located(function):
    """Re-raise a :class:`TemplateError` at the rule's template, naming the rule."""

    @functools.wraps(function)
    def wrapper(rule: registry.Rule, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(rule, *args, **kwargs)
        except TemplateError as exc:
            if exc.where is not None:
                raise
            code = rule.template.__code__
            where = Location(
                code.co_filename,
                code.co_firstlineno,
                0,
                linecache.getline(code.co_filename, code.co_firstlineno),
            )
            raise TemplateError(
                f"the rule for {rule.name} breaks the template contract: {exc.message}",
                where,
                "see docs/rules.md: a template assigns d[parameter] from d[output] with numpy, "
                "s2s.runtime and library modules imported whole only",
            ) from None

    return wrapper


def _is_adjoint_of(node: gast.expr, tglobals: dict[str, Any]) -> bool:
    return isinstance(node, gast.Name) and tglobals.get(node.id) is registry.d


def _is_zero_where(node: gast.expr, tglobals: dict[str, Any]) -> bool:
    return isinstance(node, gast.Name) and tglobals.get(node.id) is registry.zero_where


def _subscript_name(node: gast.Subscript) -> str:
    key = node.slice
    if not isinstance(key, gast.Name):
        raise TemplateError("d[...] takes a parameter name")
    return key.id


@_located
def instantiate(
    rule: registry.Rule,
    arguments: dict[str, Any],
    outputs: list[gast.expr | None],
    output_adjoints: list[gast.expr | None],
    names: NameAllocator,
) -> tuple[list[gast.stmt], list[Contribution]]:
    """Substitute a call site into an adjoint/linear template.

    Args:
        rule: the rule (kind ``adjoint`` or ``linear``).
        arguments: template parameter -> atom, or tuple of atoms for a varargs/list parameter.
        outputs: the primal output atoms, one per template output.
        output_adjoints: the adjoint buffer of each output, ``None`` for a symbolic zero.
        names: allocator for the template's local temporaries.

    Returns:
        The local statements and the contributions (inactive ones included; the caller drops
        them and dead locals).
    """
    template = rule.parsed()
    tglobals = template.globals
    subst: dict[str, gast.expr] = {}
    for param in template.params:
        if param in arguments:
            subst[param] = _as_expr(arguments[param])
        else:
            subst[param] = constant(template.defaults.get(param))
    missing = len(template.outputs) - len(outputs)  # a call that returned fewer outputs
    outputs = list(outputs) + [None] * missing
    output_adjoints = list(output_adjoints) + [None] * missing
    for out_name, atom in zip(template.outputs, outputs):
        subst[out_name] = atom if atom is not None else constant(None)
    adjoints = dict(zip(template.outputs, output_adjoints))
    local: dict[str, str] = {}
    statements: list[gast.stmt] = []
    contributions: list[Contribution] = []
    masks: dict[str, gast.expr] = {}

    def rewrite(expr: gast.expr) -> gast.expr:
        return _Substitute(subst, adjoints, local, tglobals).visit(copy_tree(expr))

    for stmt in template.body:
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant):
            continue  # docstring
        if not isinstance(stmt, gast.Assign) or len(stmt.targets) != 1:
            raise TemplateError(f"{rule.name}: templates contain only single assignments")
        target = stmt.targets[0]
        value = rewrite(stmt.value)
        if isinstance(target, gast.Subscript) and _is_zero_where(target.value, tglobals):
            masks[_subscript_name(target)] = value
        elif isinstance(target, gast.Subscript) and _is_adjoint_of(target.value, tglobals):
            param = _subscript_name(target)
            if _times_zero_adjoint(value):  # d[x] = d[ci] * (cos(x) / x), ci got none: zero
                continue
            contributions.append(
                Contribution(param, value, sequence=isinstance(arguments.get(param), tuple))
            )
        elif (
            isinstance(target, gast.Subscript)
            and isinstance(target.value, gast.Subscript)
            and _is_adjoint_of(target.value.value, tglobals)
        ):
            param = _subscript_name(target.value)
            contributions.append(Contribution(param, value, key=rewrite(target.slice)))
        elif isinstance(target, gast.Name):
            local[target.id] = names.fresh(target.id, always_number=True)
            statements.append(
                gast.Assign(
                    targets=[gast.Name(local[target.id], gast.Store(), None, None)],
                    value=value,
                    type_comment=None,
                )
            )
        else:
            raise TemplateError(f"{rule.name}: unsupported assignment target in template")
    for contribution in contributions:
        if contribution.param not in template.params:
            raise TemplateError(f"d[{contribution.param}] is assigned, but it is no parameter")
        contribution.zero_where = masks.get(contribution.param)
    return statements, contributions


@_located
def partials(rule: registry.Rule, arguments: dict[str, Any], output: gast.expr) -> list[gast.expr]:
    """The partial derivatives an elementwise template returns, substituted at a call site."""
    template = rule.parsed()
    subst = {
        p: _as_expr(arguments[p]) if p in arguments else constant(template.defaults.get(p))
        for p in template.params
    }
    subst[template.outputs[0]] = output
    body = [s for s in template.body if not (isinstance(s, gast.Expr))]
    if len(body) != 1 or not isinstance(body[0], gast.Return):
        raise TemplateError(f"{rule.name}: an elementwise template is a single return")
    value = _Substitute(subst, {}, {}, template.globals).visit(copy_tree(body[0].value))
    inputs = [p for p in template.params if p not in rule.structural]
    result = list(value.elts) if isinstance(value, gast.Tuple) and len(inputs) > 1 else [value]
    if len(result) != len(inputs):
        raise TemplateError(f"{rule.name}: one partial per input is required")
    return result


def substitute(
    expr: gast.expr,
    subst: dict[str, gast.expr],
    derivatives: dict[str, gast.expr | None],
    local: dict[str, str],
    tglobals: dict[str, Any],
) -> gast.expr:
    """A copy of template expression ``expr`` with the call site put in: parameters by their
    atoms (``subst``), ``d[p]`` by ``derivatives[p]`` (``None`` when it has none), the
    template's locals by their fresh names, numpy and the runtime by ``_np`` and ``_s2s``.

    Raises ``TemplateError`` for ``d[p]`` of a parameter not in ``derivatives``."""
    return _Substitute(subst, derivatives, local, tglobals).visit(copy_tree(expr))


def derivative_reads(node: gast.AST, tglobals: dict[str, Any]) -> list[str]:
    """The parameters ``p`` whose ``d[p]`` a template statement or expression reads."""
    return [
        _subscript_name(sub)
        for sub in walk(node)
        if isinstance(sub, gast.Subscript) and _is_adjoint_of(sub.value, tglobals)
    ]


def is_derivative_of(node: gast.expr, tglobals: dict[str, Any]) -> str | None:
    """``p`` when ``node`` is the template notation ``d[p]``, else ``None``."""
    if isinstance(node, gast.Subscript) and _is_adjoint_of(node.value, tglobals):
        return _subscript_name(node)
    return None


def _as_expr(atom: Any) -> gast.expr:
    """The expression a template parameter stands for. Not a copy: substitution copies it
    wherever the parameter is read (``_Substitute.visit_Name``), and nothing else reads it."""
    if isinstance(atom, tuple):
        return gast.Tuple(elts=list(atom), ctx=gast.Load())
    return slice_to_call(atom)


def slice_to_call(node: gast.expr) -> gast.expr:
    """A key with ``a:b:c`` parts as an expression: ``_np.s_[a:b:c, i]`` (numpy's index maker)."""
    if isinstance(node, gast.Subscript) and _is_index_maker(node.value):
        return node
    items = node.elts if isinstance(node, gast.Tuple) else [node]
    if not any(isinstance(item, gast.Slice) for item in items):
        return node
    maker = gast.Attribute(value=name("_np"), attr="s_", ctx=gast.Load())
    return gast.Subscript(value=maker, slice=node, ctx=gast.Load())


def _is_index_maker(node: gast.expr) -> bool:
    return (
        isinstance(node, gast.Attribute)
        and node.attr == "s_"
        and isinstance(node.value, gast.Name)
        and node.value.id == "_np"
    )


def subscript_key(node: gast.expr) -> gast.expr:
    """The inverse of :func:`slice_to_call`: the key as written inside ``x[...]``."""
    if isinstance(node, gast.Subscript) and _is_index_maker(node.value):
        return node.slice
    return node


def _times_zero_adjoint(expr: gast.expr) -> bool:
    """Whether ``expr`` is a product with the cotangent of an output that received none (a
    factor of a product or a quotient's numerator, maybe negated): the contribution is zero,
    and a template with several outputs writes one per output."""
    if getattr(expr, "s2s_zero_adjoint", False):
        return True
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.USub):
        return _times_zero_adjoint(expr.operand)
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Mult):
        return _times_zero_adjoint(expr.left) or _times_zero_adjoint(expr.right)
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Div):
        return _times_zero_adjoint(expr.left)
    return False


_LEAVES = (gast.expr_context, gast.operator, gast.unaryop, gast.boolop, gast.cmpop)


# runtime functions of one value that map ``None`` (no cotangent) to ``None``
_KEEPS_ZERO = frozenset({"drop_zero_imaginary"})


class _Substitute(gast.NodeTransformer):
    """What ``gast.NodeTransformer`` does with these two visitors, with less of its cost: the
    visitors always return one node, so a list is rewritten item by item in place; contexts
    and operators (which hold nothing, and which no visitor rewrites) are not visited."""

    def __init__(self, subst, adjoints, local, tglobals):
        self.subst = subst
        self.adjoints = adjoints
        self.local = local
        self.tglobals = tglobals

    def visit(self, node: gast.AST) -> gast.AST:
        kind = type(node)
        if kind is gast.Name:
            return self.visit_Name(node)
        if kind is gast.Subscript:
            return self.visit_Subscript(node)
        if kind is gast.Call:
            return self.visit_Call(node)
        if kind is gast.BinOp:
            return self.visit_BinOp(node)
        return self.generic_visit(node)

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        # a list put in for an operand (a call site's `[x, 1.0]`, or its tangents') is read
        # as numpy reads it, an array: `[...] * g` is no list repetition a derivative of this
        # code must refuse, and `[...] * 2` no repetition at all
        self.generic_visit(node)
        for side in ("left", "right"):
            operand = getattr(node, side)
            if type(operand) is gast.List:
                setattr(node, side, gast.Call(
                    func=gast.Attribute(value=gast.Name("_np", gast.Load(), None, None),
                                        attr="asarray", ctx=gast.Load()),
                    args=[operand], keywords=[]))  # fmt: skip
        return node

    def visit_Call(self, node: gast.Call) -> gast.expr:
        # a runtime conversion of a symbolic zero cotangent is that zero: `None`, not `f(None)`
        self.generic_visit(node)
        func, args = node.func, node.args
        if (
            type(func) is gast.Attribute
            and func.attr in _KEEPS_ZERO
            and type(func.value) is gast.Name
            and func.value.id == "_s2s"
            and len(args) == 1
            and getattr(args[0], "s2s_zero_adjoint", False)
        ):
            return args[0]
        return node

    def generic_visit(self, node: gast.AST) -> gast.AST:
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for i, item in enumerate(value):
                    if isinstance(item, gast.AST) and not isinstance(item, _LEAVES):
                        value[i] = self.visit(item)
            elif isinstance(value, gast.AST) and not isinstance(value, _LEAVES):
                setattr(node, field, self.visit(value))
        return node

    def visit_Subscript(self, node: gast.Subscript) -> gast.expr:
        if _is_adjoint_of(node.value, self.tglobals):
            param = _subscript_name(node)
            if param not in self.adjoints:
                raise TemplateError(f"d[{param}] is read, but only outputs' adjoints can be read")
            adj = self.adjoints[param]
            if adj is None:  # an output with no cotangent: a symbolic zero
                zero = constant(None)
                zero.s2s_zero_adjoint = True
                return zero
            return copy_tree(adj)
        self.generic_visit(node)
        return node

    def visit_Name(self, node: gast.Name) -> gast.expr:
        if node.id in self.subst:
            return copy_tree(self.subst[node.id])
        if node.id in self.local:
            return name(self.local[node.id])
        value = self.tglobals.get(node.id, getattr(builtins, node.id, None))
        if value is np:
            return name("_np")
        if value is runtime:
            return name("_s2s")
        if isinstance(value, types.ModuleType):  # scipy.special: reached as _s2s.lib.scipy.special
            return _library_module(value.__name__)
        if isinstance(value, LibraryObject):  # a family's member: scipy.stats.norm
            return _library_module(value.dotted)
        if isinstance(value, types.BuiltinFunctionType) or isinstance(value, type):
            if getattr(builtins, node.id, None) is value:
                return node
        raise TemplateError(
            f"template name {node.id!r} is neither a parameter, a local, numpy, s2s.runtime "
            "nor a module"
        )


def _library_module(dotted: str) -> gast.expr:
    """``_s2s.lib.scipy.special`` for the module ``scipy.special`` (s2s.runtime.library)."""
    node: gast.expr = gast.Attribute(value=name("_s2s"), attr="lib", ctx=gast.Load())
    for part in dotted.split("."):
        node = gast.Attribute(value=node, attr=part, ctx=gast.Load())
    return node
