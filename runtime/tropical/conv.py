"""Max-plus (min-plus) convolution, shaped like ``torch.nn.functional.conv1d``/``conv2d``.

``y[n, o, i] = ⊕_{c, k} x[n, c, i·stride + k·dilation] ⊗ w[o, c, k]`` — a cross-correlation like
torch's convolutions (with one input and output channel and ``stride=1`` this is the grey-scale
morphological dilation by ``w``; flip ``w`` for the textbook ``max_k x[i - k] + w[k]``).
Implemented as unfold + tropical matmul, so it inherits the fast kernels and the subgradient.
Padding uses the tropical zero, which can never win a ⊕.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._semiring import as_float_tensor, check_nonempty, get_semiring
from .matmul import matmul


def _as_pair(v, name):
    if isinstance(v, int):
        return (v, v)
    if len(v) != 2:
        raise ValueError(f"{name} must be an int or a pair, got {v!r}")
    return tuple(int(i) for i in v)


def conv2d(x, weight, stride=1, padding=0, dilation=1, semiring: str = "max") -> torch.Tensor:
    """Tropical 2-D convolution of ``x (N, C, H, W)`` (or ``(C, H, W)``) by ``weight (O, C, kh, kw)``."""
    sr = get_semiring(semiring)
    x = as_float_tensor(x, "x")
    weight = as_float_tensor(weight, "weight", device=x.device)
    unbatched = x.dim() == 3
    if unbatched:
        x = x.unsqueeze(0)
    if x.dim() != 4 or weight.dim() != 4:
        raise ValueError(f"conv2d needs x (N, C, H, W) and weight (O, C, kh, kw); got {tuple(x.shape)}, {tuple(weight.shape)}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but weight expects {weight.shape[1]}")
    check_nonempty(x, "x")
    check_nonempty(weight, "weight")
    stride, padding, dilation = _as_pair(stride, "stride"), _as_pair(padding, "padding"), _as_pair(dilation, "dilation")
    dtype = torch.promote_types(x.dtype, weight.dtype)
    x, weight = x.to(dtype), weight.to(dtype)
    if any(padding):
        x = F.pad(x, (padding[1], padding[1], padding[0], padding[0]), value=sr.zero)
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    out_h = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (w - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    if out_h <= 0 or out_w <= 0:
        raise ValueError(f"kernel {(kh, kw)} (dilation {dilation}) is larger than the padded input {(h, w)}")
    patches = F.unfold(x, (kh, kw), dilation=dilation, stride=stride)  # (N, C*kh*kw, L)
    y = matmul(weight.reshape(o, -1), patches, sr)  # (N, O, L)
    y = y.reshape(n, o, out_h, out_w)
    return y.squeeze(0) if unbatched else y


def conv1d(x, weight, stride: int = 1, padding: int = 0, dilation: int = 1, semiring: str = "max") -> torch.Tensor:
    """Tropical 1-D convolution of ``x (N, C, L)`` (or ``(C, L)``, or ``(L,)``) by ``weight (O, C, k)``.

    A 1-D ``weight`` of shape ``(k,)`` with a 1-D ``x`` is the single-channel case.
    """
    x = as_float_tensor(x, "x")
    weight = as_float_tensor(weight, "weight", device=x.device)
    squeeze = ()
    if x.dim() == 1 and weight.dim() == 1:
        x, weight, squeeze = x[None, None], weight[None, None], (0, 1)
    elif x.dim() == 2:
        x, squeeze = x.unsqueeze(0), (0,)
    if x.dim() != 3 or weight.dim() != 3:
        raise ValueError(f"conv1d needs x (N, C, L) and weight (O, C, k); got {tuple(x.shape)}, {tuple(weight.shape)}")
    y = conv2d(x.unsqueeze(2), weight.unsqueeze(2), stride=(1, stride), padding=(0, padding),
               dilation=(1, dilation), semiring=semiring).squeeze(2)
    for d in squeeze:
        y = y.squeeze(0)
    return y
