"""Template families: one rule template written for several functions alike.

The location-scale distributions of ``scipy.stats`` differentiate their tails and quantiles by
one formula each (``d sf = -pdf dx + pdf dloc + z pdf dscale``), the distribution's own
``pdf`` inside. A family's template names the member by a global (``dist``) that
:func:`instance` binds, per member, to a :class:`LibraryObject`; the template substitution
(``s2s.codegen.templating``) writes it as the library path, as it writes a module:

>>> def sf(result, x, loc=0.0, scale=1.0):
...     return -dist.pdf(x, loc, scale)
>>> norm_sf = instance(sf, "norm_sf", dist="scipy.stats.norm")
>>> norm_sf.__name__, norm_sf.__globals__["dist"]
('norm_sf', LibraryObject(dotted='scipy.stats.norm'))
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LibraryObject:
    """An object of a library module that a template family names (``scipy.stats.norm``):
    generated code reaches it as ``_s2s.lib.scipy.stats.norm``, as it reaches a module."""

    dotted: str


def instance(template: Callable[..., Any], name: str, **objects: str) -> Callable[..., Any]:
    """A copy of ``template`` named ``name`` in which each global name of ``objects`` stands
    for the library object at that dotted path: one template written for a family of functions
    (``dist.pdf(x, loc, scale)`` for each location-scale distribution), registered once per
    member with the member's object (``instance(sf, "norm_sf", dist="scipy.stats.norm")``).
    The copy has the template's source and lines, so errors point at the one template."""
    names = {key: LibraryObject(path) for key, path in objects.items()}
    copy = types.FunctionType(
        template.__code__, {**template.__globals__, **names}, name, template.__defaults__
    )
    copy.__kwdefaults__ = template.__kwdefaults__
    copy.__qualname__ = name
    return copy
