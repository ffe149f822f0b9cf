"""``at(x)[idx].set(v)``: JAX's functional index updates on torch tensors.

JAX arrays are immutable, so ``x.at[idx].add(v)`` returns a new array and, unlike NumPy's
``x[idx] += v``, applies every update when ``idx`` repeats an index (a scatter-add). Here each
method clones ``x`` and updates the clone: basic indices (ints, slices, ``None``, ``...``)
cannot repeat, so they take the direct path; array indices go through ``index_put_`` /
``index_reduce_`` on the flattened positions so repeated indices combine as in JAX.

Out-of-bounds indices raise ``IndexError`` here, where JAX drops such updates (and clamps in
``get``): a loud difference, never a silent one.
"""

from __future__ import annotations

import torch

__all__ = ["at"]

_REDUCE = {"multiply": "prod", "mul": "prod", "min": "amin", "max": "amax"}


def _is_basic(idx) -> bool:
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) for i in items)


class _Updater:
    def __init__(self, x: torch.Tensor, idx):
        self.x, self.idx = x, idx

    def get(self, **_ignored):
        return self.x[self.idx]

    def _values(self, v, shape):
        v = torch.as_tensor(v, device=self.x.device)
        return v.to(self.x.dtype).broadcast_to(shape)

    def set(self, v, **_ignored):
        out = self.x.clone()
        out[self.idx] = self._values(v, out[self.idx].shape)
        return out

    def _positions(self):
        return torch.arange(self.x.numel(), device=self.x.device).reshape(self.x.shape)[self.idx]

    def add(self, v, **_ignored):
        out = self.x.clone()
        if _is_basic(self.idx):
            out[self.idx] += self._values(v, out[self.idx].shape)
            return out
        pos = self._positions()
        out.view(-1).index_put_((pos.reshape(-1),), self._values(v, pos.shape).reshape(-1), accumulate=True)
        return out

    def subtract(self, v, **kw):
        return self.add(-torch.as_tensor(v), **kw)

    def _reduce(self, v, how):
        out = self.x.clone()
        pos = self._positions()
        vals = self._values(v, pos.shape).reshape(-1)
        out.view(-1).index_reduce_(0, pos.reshape(-1), vals, how, include_self=True)
        return out

    def multiply(self, v, **_ignored):
        return self._reduce(v, "prod")

    mul = multiply

    def divide(self, v, **_ignored):
        return self.multiply(1 / torch.as_tensor(v, dtype=self.x.dtype))

    def power(self, v, **_ignored):
        out = self.x.clone()
        out[self.idx] = out[self.idx] ** self._values(v, out[self.idx].shape)
        return out

    def min(self, v, **_ignored):
        return self._reduce(v, "amin")

    def max(self, v, **_ignored):
        return self._reduce(v, "amax")

    def apply(self, fn, **_ignored):
        out = self.x.clone()
        out[self.idx] = fn(out[self.idx])
        return out


class _At:
    def __init__(self, x: torch.Tensor):
        self.x = x

    def __getitem__(self, idx) -> _Updater:
        if isinstance(idx, list):
            idx = torch.as_tensor(idx)
        return _Updater(self.x, idx)


def at(x: torch.Tensor) -> _At:
    """``at(x)[idx].set(v)`` == JAX's ``x.at[idx].set(v)``; also add/subtract/multiply/divide/power/min/max/apply/get."""
    return _At(x)
