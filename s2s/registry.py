"""The derivative-rule registry: rules keyed on the object they differentiate, parsed lazily."""

from __future__ import annotations

import dataclasses
import inspect
import linecache
import sys
import textwrap
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from s2s import rulesets, togast
from s2s.errors import UsageError, caller_location
from s2s.facts import (  # noqa: F401  (re-exported: templates import them from here)
    ALLOCATION,
    BATCH,
    BROADCAST,
    CAST,
    DIAG,
    DOT,
    EYE,
    FLOAT,
    FLOAT64,
    LIKE,
    MATMUL,
    NEW,
    NO_FACTS,
    OUTER,
    PROBE,
    REDUCTION,
    SOLVE,
    SQUARE,
    ZEROS,
    Facts,
)
from s2s.families import instance as instance  # one template per family: templates/scipy_tails
from s2s.rulesets import (  # noqa: F401  (re-exported)
    OPTIONAL_RULES,
    load_builtin_rules,
    load_optional_rules,
)
from s2s.sources import def_block, parsed_def
from s2s.twins import numpy_twin


class _AdjointOf:
    """The reserved notation ``d[x]`` ("the adjoint of x") used inside rule templates.

    It only has meaning to the transformer, which rewrites ``d[x]`` to the name of x's
    adjoint buffer; evaluating it outside a template is an error.
    """

    def __getitem__(self, item: Any) -> Any:
        raise UsageError(
            "d[...] only has meaning inside an s2s rule template",
            caller_location(),
            "use it in the body of a function decorated with @s2s.adjoint",
        )

    def __repr__(self) -> str:
        return "s2s.d"


d = _AdjointOf()


class _ZeroWhere:
    """The reserved notation ``zero_where[x] = mask`` inside rule templates: the contribution
    to ``x``'s adjoint is exactly zero where ``mask`` holds, because a selection did not pick
    those entries (DESIGN section 8, selection masks)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError("zero_where[...] only has meaning inside an s2s rule template")

    def __repr__(self) -> str:
        return "s2s.zero_where"


zero_where = _ZeroWhere()

ELEMENTWISE = "elementwise"
ADJOINT = "adjoint"
LINEAR = "linear"
PIECEWISE_CONSTANT = "piecewise_constant"

_FACTS: dict[Any, Facts] = {}


def declare(fn: Any, facts: Facts) -> Any:
    """Record ``facts`` about ``fn``, which may have no rule (``np.zeros``). Returns ``fn``."""
    _FACTS[_key(fn)] = facts
    return fn


def facts_of(fn: Any) -> Facts:
    """The facts declared for ``fn`` (loads the templates); an elementwise rule broadcasts."""
    rule = lookup(fn)
    try:  # a Dask or CuPy twin has its numpy function's facts
        found = _FACTS.get(fn, _FACTS.get(rule.primal) if rule is not None else None)
    except TypeError:
        return NO_FACTS
    if found is not None:
        return found
    return Facts(shape=BROADCAST) if rule is not None and rule.kind == ELEMENTWISE else NO_FACTS


@dataclass(eq=False)
class ParsedTemplate:
    """A template's gast tree with its parameter names and defaults."""

    outputs: tuple[str, ...]
    params: tuple[str, ...]
    defaults: dict[str, Any]
    body: list[Any]
    globals: dict[str, Any]
    filename: str
    lineno: int


@dataclass(eq=False)
class Rule:
    """How to differentiate one callable.

    Attributes:
        primal: the callable differentiated (``numpy.tanh``, ``operator.getitem``, ...).
        kind: ``"elementwise"`` (template returns partial derivatives), ``"adjoint"``
            (template assigns ``d[param]``), ``"linear"`` (template is the transpose) or
            ``"piecewise_constant"`` (no gradient anywhere: outputs get the zero kind).
        template: the template function (``None`` for piecewise-constant rules).
        structural: parameters without tangent space (axis, shape, keys, dtype, ...).
        n_outputs: how many outputs the primal returns (leading template parameters).
        source: reference for the formula (paper, numpy docs).
        reason: why a piecewise-constant function has no gradient.
        metadata: a piecewise-constant function that reads only shape and dtype (``np.shape``,
            ``len``, ``zeros_like``): its argument is not connected to the output.
        may_be_undefined: the template may contribute an ``s2s.Undefined`` marker (its helpers
            return one where the gradient does not exist); generated code checks only there.
    """

    primal: Any
    kind: str
    template: Callable[..., Any] | None = None
    structural: frozenset[str] = frozenset()
    n_outputs: int = 1
    source: str = ""
    reason: str = ""
    metadata: bool = False
    may_be_undefined: bool = False
    singular: bool = False
    carries_masks: bool = False
    single_output: dict[str, Any] | None = None
    origin: str = ""  # the module that registered the rule
    tangent: Callable[..., Any] | None = None  # the forward template (``@tangent``)
    # structural parameters a gradient could flow through but the rule does not give (kv's
    # order): a value there that carries a gradient raises UnsupportedArgumentError with why
    no_derivative: dict[str, str] = field(default_factory=dict)
    # structural parameters in which the function is a step (derivative 0 wherever it exists:
    # heaviside's x1): a value there that carries a gradient gets 0 through them, not a refusal
    steps: frozenset[str] = frozenset()
    tangent_source: str = ""
    _parsed: ParsedTemplate | None = field(default=None, repr=False)
    _parsed_tangent: ParsedTemplate | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return qualified_name(self.primal)

    def parsed(self) -> ParsedTemplate:
        """The template parsed once per process (lazily, on first use)."""
        if self._parsed is None:
            with _PARSE_LOCK:
                if self._parsed is None:
                    self._parsed = _parse_template(self, self.template)
        return self._parsed

    def parsed_tangent(self) -> ParsedTemplate:
        """The forward template parsed once per process (lazily, on first use)."""
        if self._parsed_tangent is None:
            with _PARSE_LOCK:
                if self._parsed_tangent is None:
                    self._parsed_tangent = _parse_template(self, self.tangent)
        return self._parsed_tangent

    @property
    def signature_template(self) -> Callable[..., Any] | None:
        """The template whose parameters give the call signature (reverse, else forward)."""
        return self.template if self.template is not None else self.tangent


def _builtins_first(fn: Any, origin: str) -> None:
    """Before a rule registered outside the built-in ones (a user's, for ``np.sinc``): the
    built-in rules of ``fn``'s family, so that the user's replaces them, not the other way."""
    if not origin.startswith("s2s.templates") and not rulesets.ALL_LOADED:
        rulesets.load_family(qualified_name(fn))


_PARSE_LOCK = threading.Lock()
_RULES: dict[Any, Rule] = {}


def qualified_name(obj: Any) -> str:
    """A readable dotted name for a callable: ``numpy.tanh``, ``numpy.linalg.inv``."""
    owner = getattr(obj, "__self__", None)
    if isinstance(obj, types.MethodType) and not isinstance(owner, (type, types.ModuleType)):
        return _method_name(obj)
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    if module.startswith("scipy."):  # scipy.linalg._basic.solve_triangular: its public module
        module = module.split("._")[0]
    if not module and isinstance(obj, np.ufunc):  # scipy.special's ufuncs name no module
        special = sys.modules.get("scipy.special")
        if special is not None and getattr(special, name, None) is obj:
            module = "scipy.special"
    if isinstance(obj, type(abs)) and module == "_operator":
        module = "operator"
    if module.startswith("numpy") and module not in ("numpy.linalg", "numpy.fft", "numpy.random"):
        # numpy's own namespace where the callable is there; else its public module
        # (numpy.lib.stride_tricks.sliding_window_view is not numpy.sliding_window_view)
        public = getattr(np, name, None) is obj or "." in name
        module = "numpy" if public else module.split("._")[0]
    return f"{module}.{name}" if module else name


def _method_name(method: types.MethodType) -> str:
    """A method bound to an instance, named by the instance: ``scipy.stats.norm.logpdf`` (the
    instance's ``name``, else its class's name less scipy's ``_gen`` suffix, under the public
    part of its module)."""
    owner = method.__self__
    label = getattr(owner, "name", None)
    if not isinstance(label, str):
        label = type(owner).__name__.removesuffix("_gen")
    module = type(owner).__module__.split("._")[0]
    return f"{module}.{label}.{method.__func__.__name__}"


def _key(fn: Any) -> Any:
    try:
        hash(fn)
    except TypeError:
        _refuse(f"cannot register a rule for {_shown(fn)}: it is not hashable", "a function")
    return fn


def _shown(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."


def _refuse(message: str, advice: str) -> None:
    raise UsageError(message, caller_location(), advice)


def _check_rule(fn: Any, structural: Any = (), outputs: Any = 1, text: Any = "") -> None:
    """What every registration needs: a callable key, names of structural parameters, a
    positive number of outputs, a text (source or reason)."""
    if not callable(fn):
        _refuse(f"a rule is registered for a function, not {_shown(fn)}", "pass the callable")
    _key(fn)
    if not isinstance(structural, (tuple, list, frozenset, set)) or not all(
        isinstance(s, str) for s in structural
    ):
        _refuse(f"structural must be parameter names, not {_shown(structural)}",
                "e.g. structural=('axis', 'keepdims')")  # fmt: skip
    if isinstance(outputs, bool) or not isinstance(outputs, int) or outputs < 1:
        _refuse(f"outputs must be a positive int, not {_shown(outputs)}", "e.g. outputs=2")
    if not isinstance(text, str):
        _refuse(f"source and reason are text, not {_shown(text)}", "pass a string")


def _check_template(template: Any, outputs: int) -> None:
    """A template is a ``def`` with source whose parameters name the outputs, then inputs."""
    if not isinstance(template, types.FunctionType) or template.__name__ == "<lambda>":
        _refuse(
            f"a rule template is a function written with def, not {_shown(template)}",
            "decorate a def whose parameters are the outputs, then the function's parameters",
        )
    code = template.__code__  # its file's lines, as inspect.getsource reads them (without
    lines = linecache.getlines(code.co_filename, template.__globals__)  # tokenizing: start-up)
    if not lines or code.co_firstlineno > len(lines):
        _refuse(f"the template {template.__qualname__} has no source code", "define it in a file")
    named = code.co_argcount + code.co_kwonlyargcount  # not **kwargs; *args counts as one
    named += bool(code.co_flags & inspect.CO_VARARGS)
    if named < outputs + 1:
        _refuse(
            f"the template {template.__qualname__} takes {named} parameters; it needs "
            f"{outputs} for the outputs and one per parameter of the function",
            "e.g. def my_rule(result, x): d[x] = ...",
        )


def _register(rule: Rule, facts: Facts | None = None) -> Rule:
    if rule.template is not None:
        rule.origin = rule.template.__module__
    else:
        rule.origin = sys._getframe(2).f_globals.get("__name__", "")
    _builtins_first(rule.primal, rule.origin)
    previous = _RULES.get(_key(rule.primal))
    if previous is not None and previous.tangent is not None and rule.kind == ADJOINT:
        rule.tangent, rule.tangent_source = previous.tangent, previous.tangent_source  # kept
    _RULES[_key(rule.primal)] = rule
    if facts is not None:
        _FACTS[_key(rule.primal)] = facts
    return rule


def lookup(fn: Any) -> Rule | None:
    """The rule registered for ``fn``, or ``None`` (the built-in rules of ``fn``'s family load
    on first use: :mod:`s2s.rulesets`); a Dask or CuPy function without one takes its numpy
    twin's (:mod:`s2s.twins`)."""
    try:
        rule = _RULES.get(fn) if fn in _READY or rulesets.ALL_LOADED else _ready(fn)
    except TypeError:
        return None
    if rule is None and any(sys.modules.get(p) is not None for p in rulesets.OPTIONAL_PENDING):
        load_optional_rules()
        rule = _RULES.get(fn)
    twin = numpy_twin(fn) if rule is None else None
    if twin is None:
        return rule
    return _RULES.get(twin) if twin in _READY or rulesets.ALL_LOADED else _ready(twin)


# the functions looked up whose family of built-in rules is loaded: module-level objects of
# numpy, the runtime, the standard library (only names of a family are kept, never a user's)
_READY: set[Any] = set()


def _ready(fn: Any) -> Rule | None:
    """``fn``'s rule once the modules of its family are imported (hashable ``fn``)."""
    name = qualified_name(fn)
    rulesets.load_family(name)
    if rulesets.has_family(name):
        _READY.add(fn)
    return _RULES.get(fn)


def all_rules() -> dict[Any, Rule]:
    """Every registered rule, keyed by the callable it differentiates (loads the templates)."""
    load_builtin_rules()
    load_optional_rules()
    return dict(_RULES)


def builtin_rules() -> dict[Any, Rule]:
    """The rules s2s ships (registered by ``s2s.templates``), without users' own rules."""
    return {k: r for k, r in all_rules().items() if r.origin.startswith("s2s.templates")}


def elementwise(
    fn: Any,
    *,
    source: str,
    structural: tuple[str, ...] = (),
    singular: bool = False,
    facts: Facts | None = None,
    no_derivative: dict[str, str] | None = None,
    steps: tuple[str, ...] = (),
):
    """Register an elementwise function by its partial derivatives.

    The template's parameters are the output then the inputs; its single ``return`` gives one
    partial derivative per input (a tuple for several inputs), written with the output and the
    inputs. The reverse rule multiplies the output cotangent by each partial and unbroadcasts it
    onto the input's shape and dtype; constant partials ``1`` and ``-1`` cost nothing.
    ``singular=True`` marks partials that can be infinite or NaN at finite inputs (``sqrt`` at
    0, ``log`` at 0, a product with an infinite operand): there the adjoint applies any
    selection mask reaching it, so unselected entries stay exactly zero. ``facts`` adds to
    the broadcast output shape every elementwise function has (:class:`Facts`).
    ``no_derivative={"v": "why"}`` names parameters the rule gives no derivative in although
    one may exist (an order of a Bessel function): they are structural, and a call passing
    there a value that carries a gradient raises ``UnsupportedArgumentError`` saying why.
    ``steps`` names parameters in which the function is a step (``heaviside``'s ``x1``,
    ``copysign``'s ``x2``): their derivative is 0 wherever it exists, so they take no partial
    and a value there that carries a gradient gets 0 through them (as through ``np.sign``).
    """

    _check_rule(fn, (*structural, *steps), 1, source)
    refused = _refused(no_derivative)
    structural = (*structural, *steps)

    def decorate(template: Callable[..., Any]) -> Callable[..., Any]:
        _check_template(template, 1)
        rule = Rule(fn, ELEMENTWISE, template, frozenset(structural) | set(refused), 1, source)
        rule.singular = singular
        rule.no_derivative = refused
        rule.steps = frozenset(steps)
        _register(rule, dataclasses.replace(facts or NO_FACTS, shape=BROADCAST))
        return template

    return decorate


def adjoint(
    fn: Any,
    *,
    source: str = "",
    structural: tuple[str, ...] = (),
    outputs: int = 1,
    may_be_undefined: bool = False,
    single_output: dict[str, Any] | None = None,
    facts: Facts | None = None,
    no_derivative: dict[str, str] | None = None,
):
    """Register a reverse-mode template for ``fn`` (public as ``s2s.adjoint``).

    The template's first ``outputs`` parameters name the primal's outputs; the rest are the
    primal's parameters with numpy's names and defaults (only keywords listed there are
    accepted at call sites). Its body assigns ``d[param] = ...`` for each differentiable
    parameter using ``d[output]``; ``d[param][key] = g`` scatter-adds ``g`` at ``key``.
    The body may use ``numpy`` (any alias) and ``s2s.runtime`` (any alias) and nothing else.
    ``single_output={"compute_uv": False}`` says that a call passing that argument value
    returns one array, bound to the first output (the other outputs are then ``None``).
    ``facts`` says what the analyses may know of ``fn`` (:class:`Facts`); ``no_derivative``
    as for :func:`elementwise`.
    """

    _check_rule(fn, structural, outputs, source)
    if single_output is not None and not isinstance(single_output, dict):
        _refuse(f"single_output is a dict, not {_shown(single_output)}", "or leave it out")
    refused = _refused(no_derivative)

    def decorate(template: Callable[..., Any]) -> Callable[..., Any]:
        _check_template(template, outputs)
        structure = frozenset(structural) | set(refused)
        rule = Rule(fn, ADJOINT, template, structure, outputs, source)
        rule.no_derivative = refused
        rule.may_be_undefined = may_be_undefined
        rule.single_output = single_output
        _register(rule, facts)
        return template

    return decorate


def _refused(no_derivative: Any) -> dict[str, str]:
    """``no_derivative`` checked: parameter names mapped to the reason, as text."""
    if no_derivative is None:
        return {}
    if not isinstance(no_derivative, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in no_derivative.items()
    ):
        _refuse(f"no_derivative maps parameter names to reasons, not {_shown(no_derivative)}",
                "e.g. no_derivative={'v': 'the order is not differentiated'}")  # fmt: skip
    return dict(no_derivative)


def tangent(fn: Any, *, source: str = "", outputs: int = 1, structural: tuple[str, ...] = ()):
    """Register a forward-mode template for ``fn`` beside its ``@adjoint`` (public as
    ``s2s.tangent``).

    The template has the parameters of the adjoint template (outputs first, then the primal's
    parameters). Its body reads ``d[x]``, the tangent of input ``x``, and gives each output's
    tangent as ``d[out] += term`` (one term per input, linear in that input's tangent; terms of
    inputs without a tangent are never computed) or ``d[out] = expr`` (the whole tangent; an
    input without a tangent reads as ``None`` there). Other assignments are locals; a local
    reading an input's tangent exists only when that input has one. Elementwise and linear
    rules need none: their tangents come from their partials and from the map itself.
    """

    _check_rule(fn, structural, outputs, source)

    def decorate(template: Callable[..., Any]) -> Callable[..., Any]:
        _check_template(template, outputs)
        _builtins_first(fn, template.__module__)
        rule = _RULES.get(_key(fn))
        if rule is not None and rule.kind != ADJOINT:
            _refuse(
                f"{qualified_name(fn)} is registered as {rule.kind}: its tangent is derived "
                "from that rule, so @tangent applies only to functions with an @adjoint rule",
                "leave the tangent out: elementwise and linear rules give both modes",
            )
        if rule is None:  # no adjoint yet: forward mode only, until one is registered
            rule = _register(Rule(fn, ADJOINT, None, frozenset(structural), outputs, source))
            rule.origin = template.__module__
        rule.tangent, rule.tangent_source = template, source
        rule._parsed_tangent = None
        rule._call_signature = None
        return template

    return decorate


def linear(
    fn: Any,
    *,
    source: str = "",
    structural: tuple[str, ...] = (),
    carries_masks: bool = True,
    facts: Facts | None = None,
):
    """Register a function linear in its non-structural inputs by its transpose.

    The template has the form of an ``adjoint`` template: it assigns ``d[param]`` from
    ``d[result]``, which is the transpose of the linear map. Selection masks pass through it
    (DESIGN 8) unless ``carries_masks=False`` (reductions such as ``sum`` end them).
    ``facts`` says what the analyses may know of ``fn`` (:class:`Facts`).
    """

    _check_rule(fn, structural, 1, source)

    def decorate(template: Callable[..., Any]) -> Callable[..., Any]:
        _check_template(template, 1)
        rule = Rule(fn, LINEAR, template, frozenset(structural), 1, source)
        rule.carries_masks = carries_masks
        _register(rule, facts)
        return template

    return decorate


def nondifferentiable(
    fn: Any, *, reason: str, outputs: int = 1, metadata: bool = False, facts: Facts | None = None
) -> Any:
    """Declare ``fn`` piecewise-constant: its outputs carry a zero cotangent kind.

    Use it for functions with no gradient anywhere (``argmax``, ``floor``, comparisons); with
    ``metadata=True`` for functions that read only shapes (``np.shape``), whose arguments are
    then *disconnected* rather than zero. Returns ``fn``, so it also works as a decorator.
    """
    _check_rule(fn, (), outputs, reason)
    rule = Rule(fn, PIECEWISE_CONSTANT, None, frozenset(), outputs, "", reason)
    rule.metadata = metadata
    _register(rule, facts)
    return fn


def _parse_template(rule: Rule, template: Callable[..., Any] | None) -> ParsedTemplate:
    assert template is not None
    code = template.__code__
    linecache.checkcache(code.co_filename)  # as inspect.getsource does
    block = def_block(template, linecache.getlines(code.co_filename, template.__globals__))
    module = None if block is None else parsed_def(block, togast.parse, (gast.FunctionDef,))
    if module is None:
        module = gast.parse(textwrap.dedent(inspect.getsource(template)))
    fdef = module.body[0]
    assert isinstance(fdef, gast.FunctionDef)
    signature = inspect.signature(template)
    names = list(signature.parameters)
    n_out = rule.n_outputs
    defaults = {
        name: p.default
        for name, p in signature.parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    filename = inspect.getsourcefile(template) or "<template>"
    lineno = template.__code__.co_firstlineno
    return ParsedTemplate(
        outputs=tuple(names[:n_out]),
        params=tuple(names[n_out:]),
        defaults=defaults,
        body=list(fdef.body),
        globals=template.__globals__,
        filename=filename,
        lineno=lineno,
    )
