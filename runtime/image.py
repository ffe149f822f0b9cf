"""``jax.image.resize`` and ``jax.image.scale_and_translate`` with JAX's own algorithm.

``torch.nn.functional.interpolate`` is not a drop-in: it resizes only trailing spatial axes of an
``N, C, ...`` tensor, has no Lanczos or Keys-cubic (a=-0.5) kernel, antialiases only 2-D
bilinear/bicubic, and samples differently at the borders. JAX resizes *every* axis whose size
changes, one separable weight matrix per axis: half-pixel sample positions, a kernel stretched by
``1/scale`` when downsampling with ``antialias``, columns normalised to sum to one and zeroed where
the sample falls outside the input. This module builds the same matrices (float32 arithmetic in
JAX's operation order) and contracts them with ``tensordot``, so results agree with JAX to float32
rounding and gradients flow through the image (and, in ``scale_and_translate``, through tensor
``scale``/``translation``). ``nearest`` gathers with JAX's ``floor((i + 0.5) * in / out)`` indices
and keeps the dtype; every other method promotes integers to float32.
"""

from __future__ import annotations

import enum
import math

import torch

__all__ = ["ResizeMethod", "resize", "scale_and_translate"]


class ResizeMethod(enum.Enum):
    """JAX's ``jax.image.ResizeMethod`` (same members, same ``from_string`` spellings)."""

    NEAREST = 0
    LINEAR = 1
    LANCZOS3 = 2
    LANCZOS5 = 3
    CUBIC = 4
    CUBIC_PYTORCH = 5
    AREA = 6

    @staticmethod
    def from_string(s: str) -> ResizeMethod:
        names = {"nearest": "NEAREST", "linear": "LINEAR", "bilinear": "LINEAR", "trilinear": "LINEAR",
                 "triangle": "LINEAR", "lanczos3": "LANCZOS3", "lanczos5": "LANCZOS5", "cubic": "CUBIC",
                 "bicubic": "CUBIC", "tricubic": "CUBIC", "cubic-pytorch": "CUBIC_PYTORCH",
                 "bicubic-pytorch": "CUBIC_PYTORCH", "area": "AREA"}
        if s not in names:
            raise ValueError(f'Unknown resize method "{s}"')
        return ResizeMethod[names[s]]


def _method(method) -> ResizeMethod:
    if isinstance(method, ResizeMethod):
        return method
    if isinstance(method, enum.Enum):  # a jax.image.ResizeMethod left in migrated code
        return ResizeMethod[method.name]
    return ResizeMethod.from_string(method)


def _lanczos(radius: float):
    def kernel(x):
        y = radius * torch.sin(math.pi * x) * torch.sin(math.pi * x / radius)
        safe = torch.where(x != 0, math.pi ** 2 * (x * x), torch.ones_like(x))
        out = torch.where(x > 1e-3, y / safe, torch.ones_like(x))
        return torch.where(x > radius, torch.zeros_like(x), out)
    return kernel


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = torch.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return torch.where(x >= 2.0, torch.zeros_like(x), out)


def _opencv_cubic(x):
    a = -0.75
    out = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    out = torch.where(x >= 1.0, ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a, out)
    return torch.where(x >= 2.0, torch.zeros_like(x), out)


def _triangle(x):
    return torch.clamp(1 - torch.abs(x), min=0)


_AREA = "area"
_KERNELS = {
    ResizeMethod.LINEAR: (1, _triangle),
    ResizeMethod.LANCZOS3: (3, _lanczos(3.0)),
    ResizeMethod.LANCZOS5: (5, _lanczos(5.0)),
    ResizeMethod.CUBIC: (2, _keys_cubic),
    ResizeMethod.CUBIC_PYTORCH: (2, _opencv_cubic),
    ResizeMethod.AREA: (1, _AREA),
}


def _normalise(weights, dtype):
    total = weights.sum(dim=0, keepdim=True)
    divided = weights / torch.where(total != 0, total, torch.ones_like(total))
    return torch.where(total.abs() > 1000.0 * torch.finfo(torch.float32).eps, divided,
                       torch.zeros((), dtype=dtype, device=weights.device))


def _weight_mat(input_size: int, output_size: int, inv_scale, translation, kernel, antialias: bool,
                edge_padding: bool, radius: int, device) -> torch.Tensor:
    """JAX's ``compute_weight_mat``: an ``[input_size, output_size]`` matrix for one axis.

    ``inv_scale`` comes in precomputed because JAX's ``resize`` forms ``1 / scale`` in double
    precision before rounding to float32, while ``scale_and_translate`` divides in float32.
    Edge padding only happens without antialiasing, so its margin is the kernel radius.
    """
    dtype = inv_scale.dtype
    kernel_scale = torch.clamp(inv_scale, min=1.0) if antialias else 1.0
    sample_f = ((torch.arange(output_size, dtype=dtype, device=device) + 0.5) * inv_scale
                - translation * inv_scale - 0.5)
    k = radius if edge_padding else 0
    expanded = torch.arange(-k, input_size + k, dtype=dtype, device=device)
    if kernel is _AREA:
        left = torch.arange(output_size, dtype=dtype, device=device) * inv_scale - translation * inv_scale
        right = left + inv_scale
        low = torch.arange(input_size, dtype=dtype, device=device)
        weights = torch.clamp(torch.minimum(right[None, :], (low + 1.0)[:, None])
                              - torch.maximum(left[None, :], low[:, None]), min=0.0)
    else:
        weights = kernel(torch.abs(sample_f[None, :] - expanded[:, None]) / kernel_scale)
    if edge_padding:
        rows = expanded.to(torch.int32).clamp(0, input_size - 1).long()
        folded = torch.zeros(input_size, output_size, dtype=dtype, device=device)
        return _normalise(folded.index_add(0, rows, weights), dtype)
    weights = _normalise(weights, dtype)
    inside = (sample_f >= -0.5) & (sample_f <= input_size - 0.5)
    return torch.where(inside[None, :], weights, torch.zeros((), dtype=dtype, device=device))


def _inexact(image) -> torch.Tensor:
    image = torch.as_tensor(image)
    return image if image.is_floating_point() or image.is_complex() else image.to(torch.float32)


def _scale_and_translate(x, shape, spatial_dims, inv_scales, translations, method: ResizeMethod, antialias: bool):
    """One weight matrix per spatial axis, contracted in float32 (float16/bfloat16 rounded after
    each axis, like XLA's CPU dot) and moved back into place."""
    if method == ResizeMethod.CUBIC_PYTORCH and antialias:
        method = ResizeMethod.CUBIC
    radius, kernel = _KERNELS[method]
    edge_padding = method == ResizeMethod.CUBIC_PYTORCH and not antialias
    work = x.dtype if x.dtype in (torch.float64, torch.complex64, torch.complex128) else torch.float32
    for d, inv_scale, translation in zip(spatial_dims, inv_scales, translations):
        d = d % x.ndim
        w = _weight_mat(x.shape[d], shape[d], inv_scale, translation, kernel, antialias, edge_padding, radius,
                        x.device)
        w = w.to(x.dtype).to(work)
        x = torch.movedim(torch.tensordot(x.to(work), w, dims=([d], [0])), -1, d).to(x.dtype)
    return x


def _resize_nearest(x: torch.Tensor, shape) -> torch.Tensor:
    for d, (m, n) in enumerate(zip(x.shape, shape)):
        if m == n:
            continue
        offsets = (torch.arange(n, dtype=torch.float32, device=x.device) + 0.5) * m / n
        x = x.index_select(d, torch.floor(offsets).to(torch.int64))
    return x


def _check_shape(image: torch.Tensor, shape) -> tuple:
    shape = tuple(int(s) for s in shape)
    if len(shape) != image.ndim:
        raise ValueError("shape must have length equal to the number of dimensions of x; "
                         f" {shape} vs {tuple(image.shape)}")
    return shape


def resize(image, shape, method, antialias: bool = True, precision=None) -> torch.Tensor:
    """``jax.image.resize``: every axis whose size differs from ``shape`` is resampled (batch and
    channel axes are the ones left the same size). ``precision`` is accepted and ignored: the
    contraction runs in float32 (JAX's default here is ``Precision.HIGHEST``)."""
    image = torch.as_tensor(image)
    shape = _check_shape(image, shape)
    method = _method(method)
    if method == ResizeMethod.NEAREST:
        return _resize_nearest(image, shape)
    image = _inexact(image)
    spatial_dims = [d for d in range(image.ndim) if image.shape[d] != shape[d]]
    f32 = torch.float32
    inv_scales = [torch.tensor(1.0 if shape[d] == 0 else 1.0 / (shape[d] / image.shape[d]), dtype=f32,
                               device=image.device) for d in spatial_dims]
    zero = torch.tensor(0.0, dtype=f32, device=image.device)
    return _scale_and_translate(image, shape, spatial_dims, inv_scales, [zero] * len(inv_scales), method,
                                antialias)


def scale_and_translate(image, shape, spatial_dims, scale, translation, method, antialias: bool = True,
                        precision=None) -> torch.Tensor:
    """``jax.image.scale_and_translate``: output pixel ``y`` samples input ``(y + 0.5 - t) / s - 0.5``
    along each of ``spatial_dims``; samples outside the input get zero weight. ``scale`` and
    ``translation`` may be tensors (differentiable) or sequences of numbers."""
    image = torch.as_tensor(image)
    shape = _check_shape(image, shape)
    method = _method(method)
    if method == ResizeMethod.NEAREST:
        raise ValueError("Nearest neighbor resampling is not currently supported for scale_and_translate.")
    image = _inexact(image)
    scale = _inexact(scale) if isinstance(scale, torch.Tensor) else torch.as_tensor(scale, dtype=torch.float32)
    translation = (_inexact(translation) if isinstance(translation, torch.Tensor)
                   else torch.as_tensor(translation, dtype=torch.float32))
    dtype = torch.promote_types(scale.dtype, translation.dtype)
    scale, translation = scale.to(image.device, dtype), translation.to(image.device, dtype)
    spatial_dims = tuple(spatial_dims)
    if len(spatial_dims) != len(scale) or len(spatial_dims) != len(translation):
        raise ValueError("scale and translation need one entry per spatial dimension")
    return _scale_and_translate(image, shape, spatial_dims, list(1.0 / scale), list(translation), method,
                                antialias)
