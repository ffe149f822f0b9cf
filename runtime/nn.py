"""jax.nn (and jax.scipy.special) functions whose defaults have no one-call PyTorch spelling.

Migrated code calls these as ``j2t.nn.<name>`` where the plain torch function would differ:
``one_hot`` (JAX returns float32 and all-zero rows for out-of-range labels; ``F.one_hot`` returns
int64 and raises), ``logsumexp``/``softmax`` over ``axis=None`` or a tuple of axes (torch wants
one dim), and ``standardize``; ``gelu``/``glu``/``softmax``/... with JAX's own signature and defaults
for code that passes them around as functions (``act=jax.nn.gelu``). Torch-only.
"""

from __future__ import annotations

import math

import torch

__all__ = ["one_hot", "logsumexp", "softmax", "log_softmax", "standardize", "gelu", "glu", "dot_product_attention"]


def _axes(x: torch.Tensor, axis):
    if axis is None:
        return tuple(range(x.ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def one_hot(x, num_classes, *, dtype=None, axis=-1) -> torch.Tensor:
    """``jax.nn.one_hot``: float32 by default; labels outside ``[0, num_classes)`` (negative
    ones included) give an all-zero row instead of an error; the class axis goes at ``axis``."""
    x = torch.as_tensor(x)
    classes = torch.arange(num_classes, device=x.device)
    out = (x.unsqueeze(-1) == classes).to(torch.float32 if dtype is None else dtype)
    return torch.movedim(out, -1, axis) if axis not in (-1, out.ndim - 1) else out


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None) -> torch.Tensor:
    """``jax.nn.logsumexp`` / ``jax.scipy.special.logsumexp``: ``axis=None`` reduces every axis,
    a tuple reduces several, ``b`` scales the terms (``log(sum(b * exp(a)))``)."""
    if return_sign or where is not None:
        raise NotImplementedError("logsumexp: return_sign= and where= are not supported")
    a = torch.as_tensor(a)
    dims = _axes(a, axis)
    if b is None:
        return torch.logsumexp(a, dim=dims, keepdim=keepdims) if dims else a
    b = torch.as_tensor(b, dtype=a.dtype, device=a.device)
    peak = torch.amax(a, dim=dims, keepdim=True).detach()
    peak = torch.where(torch.isfinite(peak), peak, torch.zeros_like(peak))
    out = torch.log(torch.sum(b * torch.exp(a - peak), dim=dims, keepdim=True)) + peak
    return out if keepdims else out.squeeze(dims)


def softmax(x, axis=-1, where=None) -> torch.Tensor:
    """``jax.nn.softmax`` (default ``axis=-1``) and, with ``axis=None``, ``jax.scipy.special.softmax``
    (normalised over every axis); tuples of axes are accepted too."""
    if where is not None:
        raise NotImplementedError("softmax: where= is not supported")
    x = torch.as_tensor(x)
    if isinstance(axis, int):
        return torch.softmax(x, dim=axis)
    return torch.exp(x - logsumexp(x, axis=axis, keepdims=True))


def log_softmax(x, axis=-1, where=None) -> torch.Tensor:
    """``jax.nn.log_softmax`` / ``jax.scipy.special.log_softmax`` with ``axis=None`` or tuples."""
    if where is not None:
        raise NotImplementedError("log_softmax: where= is not supported")
    x = torch.as_tensor(x)
    if isinstance(axis, int):
        return torch.log_softmax(x, dim=axis)
    return x - logsumexp(x, axis=axis, keepdims=True)


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None) -> torch.Tensor:
    """``jax.nn.standardize``: ``(x - mean) / sqrt(variance + epsilon)`` with the population
    variance over ``axis`` computed as JAX does (``E[x^2] - E[x]^2``) unless given."""
    if where is not None:
        raise NotImplementedError("standardize: where= is not supported")
    x = torch.as_tensor(x)
    dims = _axes(x, axis)
    if mean is None:
        mean = torch.mean(x, dim=dims, keepdim=True)
    if variance is None:
        variance = torch.mean(torch.square(x), dim=dims, keepdim=True) - torch.square(mean)
    return (x - mean) * torch.rsqrt(variance + epsilon)


# ---- jax.nn.initializers: same draws as JAX through jax2torch_runtime.random ---------------------
#
# JAX initializers take a PRNG key; drawing through ``jax2torch_runtime.random`` (threefry,
# JAX's streams) with JAX's arithmetic order makes the migrated initial weights equal to the
# original program's, not just equal in distribution as torch.nn.init would be.


def _random():
    from jax2torch_runtime import random

    return random


def _dtype(dtype):
    return torch.float32 if dtype is None else dtype


def zeros(key, shape, dtype=None, out_sharding=None) -> torch.Tensor:
    """``jax.nn.initializers.zeros``: itself an initializer; the key is ignored."""
    return torch.zeros(tuple(shape) if not isinstance(shape, int) else (shape,), dtype=_dtype(dtype))


def ones(key, shape, dtype=None, out_sharding=None) -> torch.Tensor:
    """``jax.nn.initializers.ones``: itself an initializer; the key is ignored."""
    return torch.ones(tuple(shape) if not isinstance(shape, int) else (shape,), dtype=_dtype(dtype))


def constant(value, dtype=None):
    """``jax.nn.initializers.constant``: an initializer filling ``shape`` with ``value``."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        return torch.full(tuple(shape) if not isinstance(shape, int) else (shape,), value, dtype=_dtype(dtype))
    return init


def uniform(scale=1e-2, dtype=None):
    """``jax.nn.initializers.uniform``: U[0, scale) (not torch.nn.init.uniform_'s [a, b])."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        dt = _dtype(dtype)
        return _random().uniform(key, shape, dt) * torch.tensor(scale, dtype=dt)
    return init


def normal(stddev=1e-2, dtype=None):
    """``jax.nn.initializers.normal``: N(0, stddev^2)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        dt = _dtype(dtype)
        return _random().normal(key, shape, dt) * torch.tensor(stddev, dtype=dt)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """``jax.nn.initializers.truncated_normal``: bounds in units of stddev, no variance fix."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        dt = _dtype(dtype)
        return _random().truncated_normal(key, lower, upper, shape, dt) * torch.tensor(stddev, dtype=dt)
    return init


def _axes_size(shape, axes):
    return shape[axes] if isinstance(axes, int) else math.prod(shape[i] for i in axes)


def _fans(shape, in_axis, out_axis, batch_axis):
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional weights tensor "
                         "with default in_axis. Must be at least 2D or specify in_axis explicitly.")
    in_size, out_size = _axes_size(shape, in_axis), _axes_size(shape, out_axis)
    receptive = math.prod(shape) / in_size / out_size / _axes_size(shape, batch_axis)
    return in_size * receptive, out_size * receptive


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """``jax.nn.initializers.variance_scaling`` for real dtypes (JAX's fans, 0.8796... truncated
    normal correction and float32 arithmetic order)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        dt = _dtype(dtype)
        if dt.is_complex:
            raise NotImplementedError("complex variance_scaling initializers are not supported by j2t.nn")
        fan_in, fan_out = _fans(shape, in_axis, out_axis, batch_axis)
        denominator = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                       "fan_geo_avg": (fan_in * fan_out) ** 0.5}.get(mode)
        if denominator is None:
            raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
        variance = torch.tensor(scale / denominator, dtype=dt)
        rnd = _random()
        if distribution == "truncated_normal":
            stddev = torch.sqrt(variance) / torch.tensor(0.87962566103423978, dtype=dt)
            return rnd.truncated_normal(key, -2, 2, shape, dt) * stddev
        if distribution == "normal":
            return rnd.normal(key, shape, dt) * torch.sqrt(variance)
        if distribution == "uniform":
            return rnd.uniform(key, shape, dt, -1) * torch.sqrt(3 * variance)
        raise ValueError(f"invalid distribution for variance scaling initializer: {distribution}")
    return init


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """``jax.nn.initializers.glorot_uniform`` (xavier_uniform)."""
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """``jax.nn.initializers.glorot_normal`` (xavier_normal): a *truncated* normal in JAX."""
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """``jax.nn.initializers.lecun_uniform``."""
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """``jax.nn.initializers.lecun_normal``: truncated normal."""
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """``jax.nn.initializers.he_uniform`` (kaiming_uniform)."""
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """``jax.nn.initializers.he_normal`` (kaiming_normal): truncated normal."""
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """``jax.nn.initializers.orthogonal``: JAX's ``random.orthogonal`` reshaped around
    ``column_axis`` (QR through LAPACK: equal to rounding, not bit for bit)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        shape = tuple(shape)
        dt = _dtype(dtype)
        if len(shape) < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        if 0 in shape:
            return torch.zeros(shape, dtype=dt)
        n_cols = shape[column_axis]
        n_rows = math.prod(shape) // n_cols
        q = _random().orthogonal(key, n_rows, (), dt, n_cols)
        rest = tuple(s for i, s in enumerate(shape) if i != column_axis % len(shape))
        q = torch.movedim(q.reshape(rest + (n_cols,)), -1, column_axis)
        return torch.tensor(scale, dtype=dt) * q
    return init


def gelu(x, approximate: bool = True) -> torch.Tensor:
    """``jax.nn.gelu``: the tanh approximation unless ``approximate=False`` (torch defaults to erf)."""
    return torch.nn.functional.gelu(torch.as_tensor(x), approximate="tanh" if approximate else "none")


def glu(x, axis: int = -1) -> torch.Tensor:
    """``jax.nn.glu``: halves ``axis`` into values and gates, ``a * sigmoid(b)``."""
    return torch.nn.functional.glu(torch.as_tensor(x), dim=axis)


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None, is_causal=False,
                          query_seq_lengths=None, key_value_seq_lengths=None, local_window_size=None,
                          implementation=None) -> torch.Tensor:
    """``jax.nn.dot_product_attention`` with JAX's layout and masking, written out (JAX's XLA path).

    Inputs are ``(B, T, N, H)`` (or ``(T, N, H)``), not torch SDPA's ``(B, N, T, H)``; key/value may
    have fewer heads (grouped-query: query head ``n`` reads key head ``n // (N // K)``). ``mask`` is
    True where attention is allowed; masked logits get JAX's large finite negative (not ``-inf``),
    so a fully masked row attends uniformly as in JAX, and rows past ``query_seq_lengths`` are zero.
    Logits and the softmax are float32 (or wider), the probabilities are cast to the key's dtype.
    ``implementation`` (xla/cudnn) only picks a JAX backend and is ignored.
    """
    query, key, value = (torch.as_tensor(t) for t in (query, key, value))
    squeeze = query.ndim == 3
    if squeeze:
        query, key, value = query[None], key[None], value[None]
    bias = None if bias is None else (bias[None] if bias.ndim == 3 else bias)
    mask = None if mask is None else (mask[None] if mask.ndim == 3 else mask)
    _, t, n, h = query.shape
    s, k = key.shape[1], key.shape[2]
    if n % k:
        raise ValueError(f"dot_product_attention: {n} query heads cannot be grouped over {k} key heads")
    if n != k:
        key, value = key.repeat_interleave(n // k, dim=2), value.repeat_interleave(n // k, dim=2)
    logits_dtype = torch.promote_types(query.dtype, torch.float32)
    logits = torch.einsum("btnh,bsnh->bnts", query.to(logits_dtype), key.to(logits_dtype))
    logits = logits * torch.tensor(1.0 / math.sqrt(h) if scale is None else scale, dtype=logits_dtype)
    if bias is not None:
        logits = (logits + bias).to(logits_dtype)
    keep = None if mask is None else mask.to(torch.bool)
    positions_q = torch.arange(t, device=logits.device)[:, None]
    positions_k = torch.arange(s, device=logits.device)[None, :]
    for extra in (positions_q >= positions_k if is_causal else None, _window(positions_q, positions_k, local_window_size),
                  _lengths(t, s, query_seq_lengths, key_value_seq_lengths, logits.device)):
        if extra is not None:
            keep = extra if keep is None else keep & extra
    if keep is not None:
        big = -0.7 * min(torch.finfo(logits_dtype).max, torch.finfo(torch.float32).max)
        logits = torch.where(keep, logits, torch.tensor(big, dtype=logits_dtype, device=logits.device))
    probs = torch.softmax(logits.to(torch.float32), dim=-1).to(key.dtype)
    out = torch.einsum("bnts,bsnh->btnh", probs, value)
    if query_seq_lengths is not None:
        valid = torch.arange(t, device=out.device)[None, :] < torch.as_tensor(query_seq_lengths, device=out.device)[:, None]
        out = out * valid[:, :, None, None].to(out.dtype)
    return out[0] if squeeze else out


def _window(positions_q, positions_k, local_window_size):
    if local_window_size is None:
        return None
    left, right = (local_window_size, local_window_size) if isinstance(local_window_size, int) else local_window_size
    return (positions_q <= positions_k + left) & (positions_q >= positions_k - right)


def _lengths(t, s, q_lengths, kv_lengths, device):
    if q_lengths is None and kv_lengths is None:
        return None
    keep = torch.ones((1, 1, t, s), dtype=torch.bool, device=device)
    if q_lengths is not None:
        q = torch.as_tensor(q_lengths, device=device)
        keep = keep & (torch.arange(t, device=device)[None, None, :, None] < q[:, None, None, None])
    if kv_lengths is not None:
        kv = torch.as_tensor(kv_lengths, device=device)
        keep = keep & (torch.arange(s, device=device)[None, None, None, :] < kv[:, None, None, None])
    return keep
