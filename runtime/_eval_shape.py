"""``jax.eval_shape``: run a function on fake tensors (shapes and dtypes, no data, no compute).

torch's ``FakeTensorMode`` (the tracer behind ``torch.compile``) propagates shapes and dtypes
through every operator with a meta kernel and makes factory calls inside the function fake too;
data-dependent shapes (``nonzero``, boolean masks) raise, as they do under JAX tracing.
"""

from __future__ import annotations

import torch
from jax2torch_runtime import tree

__all__ = ["ShapeDtypeStruct", "eval_shape"]


class ShapeDtypeStruct:
    """``jax.ShapeDtypeStruct``: a shape and a dtype standing in for an array."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape, dtype):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def numel(self) -> int:
        """``size`` spelled as torch's method, which migrated ``x.size`` reads become."""
        return self.size

    def __eq__(self, other):
        return isinstance(other, ShapeDtypeStruct) and (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype})"


def eval_shape(fun, *args, **kwargs):
    """Shapes and dtypes of ``fun(*args, **kwargs)``; array arguments may be tensors or ``ShapeDtypeStruct``."""
    from torch._subclasses.fake_tensor import (
        FakeTensorMode,  # imported on use: it pulls in much of torch._dynamo
    )

    with FakeTensorMode(allow_non_fake_inputs=True) as mode:

        def fake(leaf):
            if isinstance(leaf, torch.Tensor):
                return mode.from_tensor(leaf)
            if isinstance(leaf, ShapeDtypeStruct):
                return torch.empty(leaf.shape, dtype=leaf.dtype)
            return leaf

        out = fun(*tree.map(fake, args), **tree.map(fake, kwargs))

        def describe(leaf):
            value = leaf if isinstance(leaf, torch.Tensor) else torch.as_tensor(leaf)
            return ShapeDtypeStruct(value.shape, value.dtype)

        return tree.map(describe, out)
