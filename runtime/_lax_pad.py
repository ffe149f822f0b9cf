"""``lax.pad`` and ``lax.padtype_to_pads``: the padding arithmetic that convolutions and windowed
reductions share.

``lax.pad`` takes ``(low, high, interior)`` per dimension: ``interior`` values go *between*
neighbouring elements (a dilation), then ``low``/``high`` are added at the edges, and negative
edges crop. ``torch.nn.functional.pad`` has no interior padding, so the whole configuration is
done here with one strided copy into a filled tensor.
"""

from __future__ import annotations

import builtins

import torch

__all__ = ["pad", "padtype_to_pads"]


def _dilated_size(n: int, interior: int) -> int:
    return 0 if n == 0 else n + (n - 1) * interior


def pad(operand, padding_value, padding_config):
    """``lax.pad``: ``padding_config`` is one ``(low, high, interior)`` triple per dimension.

    Negative ``low``/``high`` remove elements from the edges (after interior padding, as in
    XLA); a negative result size raises ``ValueError`` like JAX. Gradients flow to ``operand``.
    """
    operand = torch.as_tensor(operand)
    config = [tuple(int(v) for v in triple) for triple in padding_config]
    if len(config) != operand.ndim:
        raise ValueError(f"lax.pad: padding_config has {len(config)} entries for an operand of "
                         f"rank {operand.ndim}")
    for lo, hi, interior in config:
        if interior < 0:
            raise ValueError(f"lax.pad: interior padding must be non-negative, got {config}")
    out_shape = [lo + _dilated_size(n, interior) + hi for n, (lo, hi, interior) in zip(operand.shape, config)]
    if any(n < 0 for n in out_shape):
        raise ValueError(f"lax.pad: padding {config} for shape {tuple(operand.shape)} gives a "
                         f"negative dimension {out_shape}")
    out = operand.new_empty(out_shape)
    out.fill_(torch.as_tensor(padding_value, dtype=operand.dtype))
    source, target = [], []
    for n, (lo, hi, interior), size in zip(operand.shape, config, out_shape):
        step = interior + 1
        # operand element i lands at lo + i * step; keep the i with 0 <= lo + i * step < size
        first = 0 if lo >= 0 else (-lo + step - 1) // step
        last = min(n, (size - 1 - lo) // step + 1) if size > 0 else 0
        if last <= first:
            return out
        source.append(builtins.slice(first, last))
        target.append(builtins.slice(lo + first * step, lo + (last - 1) * step + 1, step))
    out[tuple(target)] = operand[tuple(source)]
    return out


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    """``lax.padtype_to_pads``: ``'VALID'``, ``'SAME'`` or ``'SAME_LOWER'`` as ``(low, high)`` pairs.

    ``'SAME'`` pads so that ``out = ceil(in / stride)``, the odd element going to the high side;
    ``'SAME_LOWER'`` puts it on the low side. Returns a list of pairs of Python ints.
    """
    name = getattr(padding, "name", padding)
    if not isinstance(name, str) or name.upper() not in ("VALID", "SAME", "SAME_LOWER"):
        raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', got {padding}.")
    name = name.upper()
    if name == "VALID":
        return [(0, 0)] * len(in_shape)
    pads = []
    for n, k, s in zip(in_shape, window_shape, window_strides):
        n, k, s = int(n), int(k), int(s)
        total = max((-(n // -s) - 1) * s + k - n, 0)
        small, large = total // 2, total - total // 2
        pads.append((small, large) if name == "SAME" else (large, small))
    return pads
