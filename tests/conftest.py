"""Shared fixtures: which registered rules a generation consulted."""

from types import SimpleNamespace

import pytest

from s2s import registry


@pytest.fixture
def rules_reached(monkeypatch):
    """Record the rules the transformer looks up and the templates it reads while active.

    Gives ``.looked_up`` and ``.templates``: the sets of callables whose rule was found by
    ``registry.lookup`` and whose template was read by ``Rule.parsed``.
    """
    looked_up: set = set()
    templates: set = set()
    real_lookup = registry.lookup
    real_parsed = registry.Rule.parsed

    def lookup(fn):
        rule = real_lookup(fn)
        if rule is not None:
            looked_up.add(rule.primal)
        return rule

    def parsed(self):
        templates.add(self.primal)
        return real_parsed(self)

    monkeypatch.setattr(registry, "lookup", lookup)
    monkeypatch.setattr(registry.Rule, "parsed", parsed)
    return SimpleNamespace(looked_up=looked_up, templates=templates)
