"""``s2s.tree``: parameter containers as leaves and back, and as one vector for
``scipy.optimize`` (docs/containers.md)."""

from s2s.runtime.trees import TreeDef, flatten, ravel, ravel_like, unflatten

__all__ = ["TreeDef", "flatten", "ravel", "ravel_like", "unflatten"]
