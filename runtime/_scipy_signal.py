"""``jax.scipy.signal`` convolutions on torch's ``conv{1,2,3}d``.

JAX lowers ``convolve``/``correlate`` to one ``lax.conv_general_dilated`` over *all* axes of the
inputs (any rank), after swapping the operands so that the larger one slides and flipping the
kernel; ``mode='same'`` crops around the *first* input, so after a swap its padding can be
negative. torch convolutions are cross-correlations over 1 to 3 spatial axes, so the kernel is
flipped here too, padding (negative = crop) is applied with ``F.pad``, and ranks above 3 are
reduced to a sum of lower-rank convolutions along the leading axis. ``method='fft'`` follows
JAX's ``fftconvolve`` (different rounding, same values). Integer and boolean inputs promote to
float32 as JAX's ``promote_dtypes_inexact`` does; float16/bfloat16 are computed in float32 and
rounded back (XLA's CPU convolution accumulates them in float32 too).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d"]

_MODES = ("full", "same", "valid")
_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _promote_inexact(in1, in2):
    a, b = torch.as_tensor(in1), torch.as_tensor(in2)
    dtype = torch.promote_types(a.dtype, b.dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        dtype = torch.float32
    return a.to(dtype), b.to(dtype)


def _work_dtype(dtype: torch.dtype) -> torch.dtype:
    return dtype if dtype in (torch.float32, torch.float64, torch.complex64, torch.complex128) else torch.float32


def _correlate_valid(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Valid cross-correlation of a batch ``x[B, *S]`` with one kernel ``w[*K]`` over all of ``S``."""
    rank = w.ndim
    if rank <= 3:
        return _CONV[rank](x.unsqueeze(1), w[None, None]).squeeze(1)
    batch, lead = x.shape[0], x.shape[1] - w.shape[0] + 1
    total = None
    for k in range(w.shape[0]):
        part = x[:, k:k + lead].reshape(batch * lead, *x.shape[2:])
        term = _correlate_valid(part, w[k])
        total = term if total is None else total + term
    return total.reshape(batch, lead, *total.shape[1:])


def _convolve_nd(in1, in2, mode: str) -> torch.Tensor:
    """JAX's ``_convolve_nd``: swap so the larger operand slides, flip the kernel, pad, correlate."""
    if mode not in _MODES:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    in1, in2 = torch.as_tensor(in1), torch.as_tensor(in2)
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 must have the same number of dimensions")
    if in1.numel() == 0 or in2.numel() == 0:
        raise ValueError(f"zero-size arrays not supported in convolutions, got shapes {tuple(in1.shape)} "
                         f"and {tuple(in2.shape)}.")
    in1, in2 = _promote_inexact(in1, in2)
    no_swap = all(s1 >= s2 for s1, s2 in zip(in1.shape, in2.shape))
    swap = all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape))
    if not (no_swap or swap):
        raise ValueError("One input must be smaller than the other in every dimension.")
    if in1.ndim == 0:
        return in1 * in2
    shape_o = in2.shape
    if swap:
        in1, in2 = in2, in1
    shape = in2.shape
    if mode == "valid":
        padding = [(0, 0)] * len(shape)
    elif mode == "same":
        padding = [(s - 1 - (so - 1) // 2, s - so + (so - 1) // 2) for s, so in zip(shape, shape_o)]
    else:
        padding = [(s - 1, s - 1) for s in shape]
    dtype = in1.dtype
    work = _work_dtype(dtype)
    flat_pad = [p for lo_hi in reversed(padding) for p in lo_hi]  # F.pad lists the last axis first
    x = F.pad(in1.to(work), flat_pad)
    return _correlate_valid(x[None], in2.to(work).flip(list(range(in2.ndim))))[0].to(dtype)


def _fftconvolve(in1, in2, mode: str) -> torch.Tensor:
    """JAX's ``fftconvolve`` without ``axes``: one n-D FFT product, then JAX's centred slice."""
    in1, in2 = _promote_inexact(in1, in2)
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if mode not in _MODES:
        raise ValueError("mode must be one of ['same', 'full', 'valid']")
    full_shape = tuple(s1 + s2 - 1 for s1, s2 in zip(in1.shape, in2.shape))
    if mode == "valid":
        no_swap = all(s1 >= s2 for s1, s2 in zip(in1.shape, in2.shape))
        swap = all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape))
        if not (no_swap or swap):
            raise ValueError("For 'valid' mode, One input must be at least as large as the other in every "
                             "dimension.")
        if swap:
            in1, in2 = in2, in1
    dtype = in1.dtype
    if all(s1 == 1 or s2 == 1 for s1, s2 in zip(in1.shape, in2.shape)):
        conv = in1 * in2
    else:
        a, b = in1.to(_work_dtype(dtype)), in2.to(_work_dtype(dtype))
        if dtype.is_complex:
            conv = torch.fft.ifftn(torch.fft.fftn(a, full_shape) * torch.fft.fftn(b, full_shape), full_shape)
        else:
            conv = torch.fft.irfftn(torch.fft.rfftn(a, full_shape) * torch.fft.rfftn(b, full_shape), full_shape)
        conv = conv.to(dtype)
    if mode == "full":
        out_shape = full_shape
    elif mode == "same":
        out_shape = tuple(in1.shape)
    else:
        out_shape = tuple(s1 - s2 + 1 for s1, s2 in zip(in1.shape, in2.shape))
    index = tuple(slice((f - o) // 2, (f - o) // 2 + o) for f, o in zip(full_shape, out_shape))
    return conv[index]


def convolve(in1, in2, mode: str = "full", method: str = "auto", precision=None) -> torch.Tensor:
    """``jax.scipy.signal.convolve``: N-D convolution of two arrays of equal rank.

    ``method`` 'auto'/'direct' use a torch convolution, 'fft' the FFT route; ``precision`` is
    accepted for signature compatibility (torch computes float32 at full precision).
    """
    if method == "fft":
        return _fftconvolve(in1, in2, mode)
    if method in ("direct", "auto"):
        return _convolve_nd(in1, in2, mode)
    raise ValueError(f"Got method={method!r}; expected 'auto', 'fft', or 'direct'.")


def correlate(in1, in2, mode: str = "full", method: str = "auto", precision=None) -> torch.Tensor:
    """``jax.scipy.signal.correlate``: convolution with the flipped, conjugated ``in2``."""
    in2 = torch.as_tensor(in2)
    return convolve(in1, in2.conj().flip(list(range(in2.ndim))), mode, method=method)


def _check_2d(name: str, in1, in2, boundary, fillvalue):
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(f"{name}() only supports boundary='fill', fillvalue=0")
    if torch.as_tensor(in1).ndim != 2 or torch.as_tensor(in2).ndim != 2:
        raise ValueError(f"{name}() only supports 2-dimensional inputs.")


def convolve2d(in1, in2, mode: str = "full", boundary: str = "fill", fillvalue=0,
               precision=None) -> torch.Tensor:
    """``jax.scipy.signal.convolve2d``: 2-D only; like JAX only ``boundary='fill'``, ``fillvalue=0``."""
    _check_2d("convolve2d", in1, in2, boundary, fillvalue)
    return _convolve_nd(in1, in2, mode)


def correlate2d(in1, in2, mode: str = "full", boundary: str = "fill", fillvalue=0,
                precision=None) -> torch.Tensor:
    """``jax.scipy.signal.correlate2d``, with JAX's operand flips per mode (for 'same' and 'valid'
    they decide which input sets the output's alignment when ``in1`` is the smaller one)."""
    _check_2d("correlate2d", in1, in2, boundary, fillvalue)
    in1, in2 = torch.as_tensor(in1), torch.as_tensor(in2)
    swap = all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape))
    same_shape = tuple(in1.shape) == tuple(in2.shape)
    both = [0, 1]
    swapped = swap and not same_shape if mode == "valid" else swap and mode != "same"
    if not swapped:
        return _convolve_nd(in1.flip(both), in2.conj(), mode).flip(both)
    result = _convolve_nd(in2.flip(both), in1.conj(), mode)
    return result if mode == "valid" else result.conj()
