"""Index helpers, statistics and small elementwise helpers."""

from __future__ import annotations

import functools
import re

import torch

from jax2torch_runtime._numpy_core import _operands
from jax2torch_runtime._numpy_reductions import _all_axes, _inexact



# ---- index helpers, statistics and small elementwise helpers ------------------------------------

def tril_indices(n, k=0, m=None):
    """``jnp.tril_indices``: a (rows, cols) tuple (``torch.tril_indices`` returns a 2xN tensor
    and orders its arguments (row, col, offset))."""
    return tuple(torch.tril_indices(n, n if m is None else m, k))


def triu_indices(n, k=0, m=None):
    """``jnp.triu_indices``: a (rows, cols) tuple of the upper triangle from diagonal ``k``."""
    return tuple(torch.triu_indices(n, n if m is None else m, k))


def tril_indices_from(arr, k=0):
    """``jnp.tril_indices_from``: :func:`tril_indices` for the last two axes of ``arr``."""
    return tril_indices(arr.shape[-2], k, arr.shape[-1])


def triu_indices_from(arr, k=0):
    """``jnp.triu_indices_from``: :func:`triu_indices` for the last two axes of ``arr``."""
    return triu_indices(arr.shape[-2], k, arr.shape[-1])


def diag_indices(n, ndim=2):
    """``jnp.diag_indices``: ``ndim`` copies of ``arange(n)``."""
    return (torch.arange(n),) * ndim


def diag_indices_from(arr):
    """``jnp.diag_indices_from``: main-diagonal indices of a square array."""
    if len(set(arr.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(arr.shape[0], arr.ndim)


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None) -> torch.Tensor:
    """``jnp.cov``: ``rowvar=False`` transposes, ``y`` adds variables, ``bias``/``ddof`` become
    ``torch.cov``'s ``correction``; a 1-D input gives a 0-d result as in NumPy."""
    x = _inexact(m)
    x = x.reshape(1, -1) if x.ndim == 1 else x
    if not rowvar and x.shape[0] != 1:
        x = x.T
    if y is not None:
        yy = _inexact(y)
        yy = yy.reshape(1, -1) if yy.ndim == 1 else yy
        if not rowvar and yy.shape[0] != 1:
            yy = yy.T
        x = torch.cat([x, yy.to(x.dtype)], dim=0)
    correction = ddof if ddof is not None else (0 if bias else 1)
    out = torch.cov(x, correction=correction, fweights=fweights, aweights=aweights)
    return out.reshape(()) if x.shape[0] == 1 else out


def corrcoef(x, y=None, rowvar=True) -> torch.Tensor:
    """``jnp.corrcoef``: Pearson coefficients, clipped to [-1, 1] like NumPy and JAX."""
    c = cov(x, y, rowvar)
    if c.ndim == 0:
        return c / c
    d = torch.sqrt(torch.diagonal(c))
    return (c / d[:, None] / d[None, :]).clamp(-1, 1)


def digitize(x, bins, right=False, *, method=None) -> torch.Tensor:
    """``jnp.digitize``: ``torch.bucketize`` with the arguments swapped, NumPy's ``right``
    meaning (inverted with respect to bucketize's) and decreasing ``bins`` supported."""
    x, bins = _operands(x, bins)
    if bins.numel() > 1 and bool(bins[-1] < bins[0]):
        return bins.numel() - torch.bucketize(x, bins.flip(0), right=not right)
    return torch.bucketize(x, bins, right=not right)


def float_power(x1, x2) -> torch.Tensor:
    """``jnp.float_power``: power in the promoted *inexact* dtype (float32 with JAX's x64 off;
    ``torch.float_power`` always computes and returns float64)."""
    a, b = _operands(x1, x2)
    dtype = torch.result_type(a, b)
    dtype = dtype if dtype.is_floating_point or dtype.is_complex else torch.float32
    return torch.pow(a.to(dtype), b.to(dtype))


def angle(z, deg=False) -> torch.Tensor:
    """``jnp.angle``: the complex argument, in degrees with ``deg=True``; float for real input."""
    out = torch.angle(_inexact(z))
    return torch.rad2deg(out) if deg else out


def append(arr, values, axis=None) -> torch.Tensor:
    """``jnp.append``: ``axis=None`` flattens both inputs first."""
    arr, values = _operands(arr, values)
    dtype = torch.result_type(arr, values)
    if axis is None:
        return torch.cat([arr.reshape(-1).to(dtype), values.reshape(-1).to(dtype)])
    return torch.cat([arr.to(dtype), values.to(dtype)], dim=axis)


def divmod(x1, x2):  # noqa: A001 - mirrors jnp.divmod
    """``jnp.divmod``: (floor quotient, remainder with the divisor's sign)."""
    a, b = _operands(x1, x2)
    return torch.div(a, b, rounding_mode="floor"), torch.remainder(a, b)


def modf(x):
    """``jnp.modf``: (fractional part, integral part), both with ``x``'s sign."""
    x = _inexact(x)
    whole = torch.trunc(x)
    return x - whole, whole


def matvec(x1, x2) -> torch.Tensor:
    """``jnp.matvec``: batched matrix-vector product over the last axes."""
    return torch.matmul(x1, x2.unsqueeze(-1)).squeeze(-1)


def vecmat(x1, x2) -> torch.Tensor:
    """``jnp.vecmat``: batched vector-matrix product, the vector conjugated."""
    return torch.matmul(x1.conj().unsqueeze(-2), x2).squeeze(-2)


def rollaxis(a, axis, start=0) -> torch.Tensor:
    """``jnp.rollaxis``: move ``axis`` to sit before position ``start`` (NumPy's rule)."""
    a = torch.as_tensor(a)
    axis %= a.ndim
    start = start + a.ndim if start < 0 else start
    if axis < start:
        start -= 1
    return torch.movedim(a, axis, start)


def _cumulative_initial(op, x, axis, dtype, include_initial, initial):
    x = torch.as_tensor(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError("jnp.cumulative_*: axis is required for arrays of more than one dimension")
        axis = 0
    out = op(x, dim=axis, dtype=dtype)
    if include_initial:
        shape = list(out.shape)
        shape[axis] = 1
        out = torch.cat([torch.full(shape, initial, dtype=out.dtype, device=out.device), out], dim=axis)
    return out


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False) -> torch.Tensor:
    """``jnp.cumulative_sum``: ``include_initial`` prepends 0 along ``axis``."""
    return _cumulative_initial(torch.cumsum, x, axis, dtype, include_initial, 0)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False) -> torch.Tensor:
    """``jnp.cumulative_prod``: ``include_initial`` prepends 1 along ``axis``."""
    return _cumulative_initial(torch.cumprod, x, axis, dtype, include_initial, 1)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0) -> torch.Tensor:
    """``jnp.geomspace`` for positive scalar endpoints: ``torch.logspace`` on log10 of them,
    with the exact endpoints restored as NumPy does; float32 by default."""
    import math

    if axis != 0:
        raise NotImplementedError("j2t.numpy.geomspace supports axis=0 only")
    if start <= 0 or stop <= 0:
        raise NotImplementedError("j2t.numpy.geomspace supports positive endpoints only")
    dtype = torch.float32 if dtype is None else dtype
    lo, hi = math.log10(start), math.log10(stop)
    if not endpoint:
        hi = lo + (hi - lo) * (num - 1) / num if num > 1 else lo
    out = torch.logspace(lo, hi, num, dtype=torch.float64)
    if num > 0:
        out[0] = start
        if endpoint and num > 1:
            out[-1] = stop
    return out.to(dtype)


def select(condlist, choicelist, default=0) -> torch.Tensor:
    """``jnp.select``: the first true condition picks its choice (``torch.select`` is indexing)."""
    if len(condlist) != len(choicelist):
        raise ValueError("condlist and choicelist must have the same length")
    choices = [torch.as_tensor(c) for c in choicelist]
    dtype = functools.reduce(torch.promote_types, [c.dtype for c in choices])
    out = torch.as_tensor(default, dtype=dtype)
    for cond, choice in reversed(list(zip(condlist, choices))):
        out = torch.where(torch.as_tensor(cond), choice.to(dtype), out)
    return out


def iscomplex(x) -> torch.Tensor:
    """``jnp.iscomplex``: elementwise nonzero imaginary part (all False for real input)."""
    x = torch.as_tensor(x)
    return x.imag != 0 if x.is_complex() else torch.zeros_like(x, dtype=torch.bool)


def isrealobj(x) -> bool:
    """``jnp.isrealobj``: the dtype is not complex."""
    return not torch.as_tensor(x).is_complex()


def linalg_trace(x, /, *, offset=0, dtype=None) -> torch.Tensor:
    """``jnp.linalg.trace``: the trace over the last two axes, batched (``torch.trace`` is 2-D)."""
    return torch.diagonal(torch.as_tensor(x), offset, -2, -1).sum(-1, dtype=dtype)


def linalg_lstsq(a, b, rcond=None, *, numpy_resid=False):
    """``jnp.linalg.lstsq``: ``(x, residuals, rank, singular_values)`` from an SVD as in JAX
    (``torch.linalg.lstsq`` returns empty residuals/ranks for its default driver). Residuals are
    always computed unless ``numpy_resid`` asks for NumPy's empty ones when rank-deficient/wide."""
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    vector = b.ndim == 1
    b = b[:, None] if vector else b
    m, n = a.shape
    rcond = torch.finfo(a.dtype).eps * max(m, n) if rcond is None else rcond
    u, s, vt = torch.linalg.svd(a, full_matrices=False)
    mask = (s > 0) & (s >= rcond * s[0])
    rank = mask.sum()
    s_inv = torch.where(mask, 1 / torch.where(mask, s, 1), 0)[:, None].to(a.dtype)
    x = vt.conj().T @ (s_inv * (u.conj().T @ b))
    if numpy_resid and (int(rank) < n or m <= n):
        resid = torch.zeros(0, dtype=a.dtype)
    else:
        resid = torch.linalg.vector_norm(b - a @ x, dim=0) ** 2
    return (x.reshape(-1) if vector else x), resid, rank, s


def gradient(f, *varargs, axis=None, edge_order=None):
    """``jnp.gradient``: one array for a single axis, a list otherwise (``torch.gradient``
    always returns a tuple); integers promote to float32."""
    f = _inexact(f)
    axes = _all_axes(f, axis)
    spacing = varargs[0] if len(varargs) == 1 else (list(varargs) if varargs else 1)
    out = torch.gradient(f, spacing=spacing, dim=axes, edge_order=edge_order or 1)
    return out[0] if len(out) == 1 else list(out)


def fft_ihfft(a, n=None, axis=-1, norm=None) -> torch.Tensor:
    """``jnp.fft.ihfft``: ``torch.fft.ihfft`` returns a lazily conjugated view, which
    ``.numpy()`` and some kernels reject; the result is materialised like JAX's array."""
    return torch.fft.ihfft(torch.as_tensor(a), n=n, dim=axis, norm=norm).resolve_conj()


# ---- shape and bit helpers: trim_zeros, resize, packbits, unpackbits, piecewise -----------------

def trim_zeros(filt, trim="fb", axis=None) -> torch.Tensor:
    """``jnp.trim_zeros``: cut leading (``'f'``) and/or trailing (``'b'``) all-zero slices along
    ``axis`` (default every axis, so an N-D input shrinks to the bounding box of its non-zeros)."""
    x = torch.as_tensor(filt)
    axes = range(x.ndim) if axis is None else [a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis)]
    trim = trim.lower()
    if not axes or ("f" not in trim and "b" not in trim):
        return x
    index = [slice(None)] * x.ndim
    for ax in axes:
        others = [i for i in range(x.ndim) if i != ax]
        mask = (x != 0).any(dim=others) if others else x != 0
        hits = torch.nonzero(mask).reshape(-1)
        if hits.numel() == 0:
            index[ax] = slice(0, 0)
            continue
        index[ax] = slice(int(hits[0]) if "f" in trim else None, int(hits[-1]) + 1 if "b" in trim else None)
    return x[tuple(index)]


def resize(a, new_shape) -> torch.Tensor:
    """``jnp.resize``: the flattened input repeated cyclically to fill ``new_shape`` (zeros when
    either side is empty); ``torch.Tensor.resize_`` leaves new memory uninitialised instead."""
    x = torch.as_tensor(a).reshape(-1)
    shape = (new_shape,) if isinstance(new_shape, int) else tuple(new_shape)
    if any(n < 0 for n in shape):
        raise ValueError("all elements of `new_shape` must be non-negative")
    total = 1
    for n in shape:
        total *= n
    if x.numel() == 0 or total == 0:
        return x.new_zeros(shape)
    return x.repeat(-(-total // x.numel()))[:total].reshape(shape)


def _bit_weights(bitorder: str, device) -> torch.Tensor:
    if bitorder not in ("little", "big"):
        raise ValueError("'order' must be either 'little' or 'big'")
    bits = torch.arange(8, dtype=torch.uint8, device=device)
    return bits.flip(0) if bitorder == "big" else bits


def packbits(a, axis=None, bitorder="big") -> torch.Tensor:
    """``jnp.packbits``: non-zero entries as bits, eight per ``uint8`` along ``axis`` (the last
    byte zero-padded); ``axis=None`` packs the flattened input."""
    x = torch.as_tensor(a)
    if x.is_floating_point() or x.is_complex():
        raise TypeError("Expected an input array of integer or boolean data type")
    bits = _bit_weights(bitorder, x.device)
    x = (x != 0).to(torch.uint8)
    if axis is None:
        x, axis = x.reshape(-1), 0
    x = x.movedim(axis, -1)
    x = torch.nn.functional.pad(x, (0, -x.shape[-1] % 8))
    x = x.reshape(x.shape[:-1] + (x.shape[-1] // 8, 8))
    packed = (x << bits).sum(-1).to(torch.uint8)
    return packed.movedim(-1, axis)


def unpackbits(a, axis=None, count=None, bitorder="big") -> torch.Tensor:
    """``jnp.unpackbits``: each ``uint8`` expanded to eight 0/1 ``uint8`` entries along ``axis``;
    ``count`` keeps the first ``count`` bits (zero-padding past the end)."""
    x = torch.as_tensor(a)
    if x.dtype != torch.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    bits = torch.ones((), dtype=torch.uint8, device=x.device) << _bit_weights(bitorder, x.device)
    if axis is None:
        x, axis = x.reshape(-1), 0
    x = x.movedim(axis, -1)
    out = ((x.unsqueeze(-1) & bits) > 0).to(torch.uint8)
    out = out.reshape(out.shape[:-2] + (-1,))
    if count is not None:
        out = torch.nn.functional.pad(out, (0, count - out.shape[-1])) if count > out.shape[-1] else out[..., :count]
    return out.movedim(-1, axis)


def piecewise(x, condlist, funclist, *args, **kw) -> torch.Tensor:
    """``jnp.piecewise``: where a condition holds, the matching function of ``x`` (or constant);
    a later true condition overrides an earlier one, and ``len(condlist) + 1`` functions give
    the "otherwise" value first. Results are cast to ``x``'s dtype as in JAX.

    Each function is called once on the whole ``x`` (JAX calls it on the selected elements), which
    is the same for elementwise functions.
    """
    t = torch.as_tensor(x)
    conds = [torch.as_tensor(c, device=t.device).to(torch.bool) for c in condlist]
    funcs = list(funclist)
    if len(funcs) == len(conds) + 1:
        funcs = funcs[-1:] + funcs[:-1]
    elif len(funcs) == len(conds):
        funcs = [0] + funcs
    else:
        raise ValueError(f"with {len(conds)} condition(s), either {len(conds)} or {len(conds) + 1} "
                         f"functions are expected; got {len(funcs)}")

    def value(f):
        v = f(t, *args, **kw) if callable(f) else f
        return torch.as_tensor(v, device=t.device).to(t.dtype).broadcast_to(t.shape)

    out = value(funcs[0])
    for cond, f in zip(conds, funcs[1:]):
        out = torch.where(cond, value(f), out)
    return out


# ---- jnp.vectorize: nested torch.func.vmap over the broadcast (non-core) dimensions -------------

_DIM = r"\w+"
_CORE = rf"(?:{_DIM}(?:,{_DIM})*)?"
_ARG = rf"\({_CORE}\)"
_ARGS = rf"{_ARG}(?:,{_ARG})*"
_SIGNATURE = rf"^{_ARGS}->{_ARGS}$"


def _parse_signature(signature: str):
    """``"(m,n),(n)->(m)"`` as input and output core-dimension name tuples."""
    if not re.match(_SIGNATURE, signature):
        raise ValueError(f"not a valid gufunc signature: {signature}")
    ins, outs = ([tuple(re.findall(_DIM, arg)) for arg in re.findall(_ARG, side)] for side in signature.split("->"))
    return ins, outs


def _core_sizes(args, core_dims):
    """Broadcast shape of the non-core dimensions, checking each named core size is consistent."""
    sizes = {}
    batch = []
    for arg, dims in zip(args, core_dims):
        if arg.ndim < len(dims):
            raise ValueError(f"input with shape {tuple(arg.shape)} has fewer dimensions than the core dims {dims}")
        for name, n in zip(dims, arg.shape[arg.ndim - len(dims):]):
            if sizes.setdefault(name, n) != n:
                raise ValueError(f"inconsistent size for core dimension {name!r}: {n} vs {sizes[name]}")
        batch.append(tuple(arg.shape[: arg.ndim - len(dims)]))
    return torch.broadcast_shapes(*batch) if batch else ()


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """``jnp.vectorize``: ``pyfunc`` mapped over the broadcast leading dimensions of its array
    arguments with one ``torch.func.vmap`` per dimension (size-1 dimensions are not mapped and are
    restored afterwards), as JAX does with ``jax.vmap``. ``signature`` names core dimensions that
    ``pyfunc`` sees whole; ``excluded`` positions/keywords are passed through unmapped, and ``None``
    arguments likewise. Other keyword arguments are passed through unchanged.
    """
    if any(not isinstance(e, (str, int)) for e in excluded):
        raise TypeError(f"jax.numpy.vectorize can only exclude integer or string arguments, but excluded={excluded!r}")
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise ValueError(f"excluded={excluded!r} contains negative numbers")

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        static = {i: a for i, a in enumerate(args) if i in excluded or a is None}
        dynamic = [torch.as_tensor(a) for i, a in enumerate(args) if i not in static]
        in_core = _parse_signature(signature)[0] if signature is not None else [()] * len(args)
        in_core = [c for i, c in enumerate(in_core) if i not in static]
        if len(in_core) != len(dynamic):
            raise TypeError(f"wrong number of positional arguments: expected {len(in_core)}, got {len(dynamic)}")
        shape = _core_sizes(dynamic, in_core)

        def call(*dyn):
            it = iter(dyn)
            return pyfunc(*[static[i] if i in static else next(it) for i in range(len(args))], **kwargs)

        squeezed, rev_filled = [], []
        for arg, dims in zip(dynamic, in_core):
            noncore = tuple(arg.shape[: arg.ndim - len(dims)])
            rev_filled.append(((1,) * (len(shape) - len(noncore)) + noncore)[::-1])
            ones = [i for i, n in enumerate(noncore) if n == 1]
            squeezed.append(arg.squeeze(ones) if ones else arg)
        func, expand = call, []
        for negdim, sizes in enumerate(zip(*rev_filled)):
            in_dims = tuple(None if n == 1 else 0 for n in sizes)
            if all(d is None for d in in_dims):
                expand.append(len(shape) - 1 - negdim)
            else:
                func = torch.func.vmap(func, in_dims=in_dims)
        result = func(*squeezed)
        if not expand:
            return result

        def restore(r):
            for ax in sorted(expand):
                r = torch.as_tensor(r).unsqueeze(ax)
            return r

        return tuple(restore(r) for r in result) if isinstance(result, tuple) else restore(result)

    return wrapped


def bincount(x, weights=None, minlength=0, *, length=None):
    """``jnp.bincount`` with ``length=``: exactly ``length`` bins. As in JAX, negative values count
    in bin 0 and values at or above ``length`` are dropped (``torch.bincount`` raises on negatives
    and only ever grows its output). Without ``length`` the output has ``max(minlength, max+1)`` bins."""
    x = torch.as_tensor(x).clamp_min(0)
    if length is None:
        return torch.bincount(x, weights, minlength)
    keep = x < length
    if weights is not None:
        weights = torch.as_tensor(weights)[keep]
    return torch.bincount(x[keep], weights, minlength=length)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``jnp.linspace`` with the keywords ``torch.linspace`` lacks (``endpoint=False``, ``retstep``,
    array bounds with ``axis``), computed as JAX does: ``start * (1 - t) + stop * t`` with
    ``t = arange(div) / div``, ``div = num - 1`` (or ``num`` without the end point)."""
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start, stop = torch.as_tensor(start), torch.as_tensor(stop)
    comp = torch.result_type(start, stop) if dtype is None else dtype
    if not (comp.is_floating_point or comp.is_complex):
        comp = torch.get_default_dtype()
    start, stop = torch.broadcast_tensors(start.to(comp), stop.to(comp))
    shape = list(start.shape)
    axis = len(shape) + axis + 1 if axis < 0 else axis
    bounds = shape[:axis] + [1] + shape[axis:]
    div = num - 1 if endpoint else num
    if num > 1:
        delta = (stop - start) / div
        where = [1] * len(bounds)
        where[axis] = div
        t = (torch.arange(div, dtype=comp) / div).reshape(where)
        out = start.reshape(bounds) * (1 - t) + stop.reshape(bounds) * t
        if endpoint:
            out = torch.cat([out, stop.unsqueeze(axis)], axis)
    elif num == 1:
        delta = torch.full((), float("nan"), dtype=comp) if endpoint else stop - start
        out = start.reshape(bounds)
    else:
        delta = torch.full((), float("nan"), dtype=comp)
        out = start.new_empty(shape[:axis] + [0] + shape[axis:])
    if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
        out = torch.floor(out)
    out = out.to(dtype or comp)
    return (out, delta) if retstep else out
