"""Array creation with JAX's dtype canonicalisation, scalar-tolerant binary ops and dtype categories."""

from __future__ import annotations

import functools
import numbers

import torch


#: ``jnp.newaxis`` is ``None``; kept as a name so that ``x[:, j2t.numpy.newaxis]`` reads the same.
newaxis = None

# JAX runs with 64-bit types disabled by default: float64/complex128 data become 32-bit arrays.
_X64_OFF = {torch.float64: torch.float32, torch.complex128: torch.complex64}


def _is_tensor_tree(obj) -> bool:
    return isinstance(obj, torch.Tensor) or (
        isinstance(obj, (list, tuple)) and len(obj) > 0 and any(_is_tensor_tree(o) for o in obj))


def _stack_nested(obj):
    """A (nested) list/tuple holding tensors, stacked the way ``jnp.array`` builds one array.

    The dtype is the promotion of the tensors' dtypes, with Python numbers weakly typed as in JAX
    (``[x, 1.0]`` keeps a float32 ``x`` float32; ``[i, 0.5]`` with an int32 ``i`` is float32).
    """
    if not isinstance(obj, (list, tuple)):
        return obj
    parts = [_stack_nested(o) for o in obj]
    tensors = [p for p in parts if isinstance(p, torch.Tensor)]
    if not tensors:
        return asarray(parts)
    probe = torch.empty((), dtype=functools.reduce(torch.promote_types, (t.dtype for t in tensors)))
    for p in parts:
        if not isinstance(p, torch.Tensor):
            probe = torch.empty((), dtype=torch.result_type(probe, p))
    dtype = _X64_OFF.get(probe.dtype, probe.dtype) if probe.dtype not in {t.dtype for t in tensors} else probe.dtype
    return torch.stack([torch.as_tensor(p, dtype=dtype, device=tensors[0].device) for p in parts])


def asarray(a, dtype=None, copy=None) -> torch.Tensor:
    """``jnp.asarray``: a tensor with JAX's default dtypes.

    Data that is not already a tensor (NumPy arrays, Python lists) is converted as JAX does with
    x64 off: float64 becomes float32 and complex128 complex64, unless ``dtype`` is given. Lists
    holding tensors are stacked (``torch.asarray`` only takes one-element tensors there).
    """
    if isinstance(a, torch.Tensor):
        out = a if dtype is None else a.to(dtype)
    elif _is_tensor_tree(a):
        out = _stack_nested(a)
        out = out if dtype is None else out.to(dtype)
    else:
        out = torch.as_tensor(a, dtype=dtype)
        if dtype is None and out.dtype in _X64_OFF:
            out = out.to(_X64_OFF[out.dtype])
        elif _shares_memory(out, a):
            # JAX copies host data into a device buffer: later writes to the NumPy array (a reused
            # batch buffer) must not show through, as they would in torch.as_tensor's view.
            out = out.clone()
    return out.clone() if copy and out is a else out


def _shares_memory(tensor: torch.Tensor, source) -> bool:
    """Whether ``tensor`` is a view of ``source``'s buffer (NumPy arrays, buffer objects)."""
    interface = getattr(source, "__array_interface__", None)
    return interface is not None and tensor.numel() > 0 and tensor.data_ptr() == interface["data"][0]


def array(object, dtype=None, copy=True) -> torch.Tensor:  # noqa: A002 - JAX's parameter name
    """``jnp.array``: like :func:`asarray` but a fresh copy by default, as in JAX."""
    out = asarray(object, dtype=dtype)
    if copy and isinstance(object, torch.Tensor) and out.data_ptr() == object.data_ptr():
        out = out.clone()
    return out


def cut_or_pad(values: torch.Tensor, size: int, fill) -> torch.Tensor:
    """The first ``size`` entries of 1-D ``values``, padded with the constant ``fill``: JAX's
    fixed-length ``size=`` results (nonzero, flatnonzero, set-operation indices)."""
    return torch.cat([values[:size], values.new_full((max(size - values.numel(), 0),), fill)])


def _operands(a, b):
    """Python scalars as 0-d tensors: torch then promotes them like JAX's weakly typed scalars."""
    if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        return torch.as_tensor(a), torch.as_tensor(b)
    if not isinstance(a, torch.Tensor):
        a = torch.as_tensor(a, device=b.device) if isinstance(a, numbers.Number) else torch.as_tensor(a)
    if not isinstance(b, torch.Tensor):
        b = torch.as_tensor(b, device=a.device) if isinstance(b, numbers.Number) else torch.as_tensor(b)
    return a, b


def maximum(x1, x2) -> torch.Tensor:
    """``jnp.maximum``: NaN-propagating elementwise max that also takes Python scalars."""
    return torch.maximum(*_operands(x1, x2))


def minimum(x1, x2) -> torch.Tensor:
    """``jnp.minimum``: NaN-propagating elementwise min that also takes Python scalars."""
    return torch.minimum(*_operands(x1, x2))


def clip(input, min=None, max=None) -> torch.Tensor:  # noqa: A002 - the row maps JAX's names here
    """``jnp.clip`` computed as JAX does, ``minimum(max, maximum(min, x))``: the same values as
    ``torch.clamp``, and at an input exactly on a bound the gradient is split evenly between the
    two sides as in JAX (``torch.clamp`` passes it whole, which doubles derivatives of repeated
    clips, e.g. a clipped action clipped again in the dynamics)."""
    out = torch.as_tensor(input)
    if min is not None:
        out = maximum(min, out)
    if max is not None:
        out = minimum(max, out)
    return out


def logaddexp(x1, x2) -> torch.Tensor:
    """``jnp.logaddexp`` with Python scalars allowed on either side."""
    return torch.logaddexp(*_operands(x1, x2))


def arctan2(x1, x2) -> torch.Tensor:
    """``jnp.arctan2`` with Python scalars allowed on either side."""
    return torch.arctan2(*_operands(x1, x2))


def hypot(x1, x2) -> torch.Tensor:
    """``jnp.hypot`` with Python scalars allowed on either side."""
    return torch.hypot(*_operands(x1, x2))


def _cumulative(op, a, axis, dtype):
    a = torch.as_tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    return op(a, dim=axis, dtype=dtype)


def cumsum(a, axis=None, dtype=None) -> torch.Tensor:
    """``jnp.cumsum``: ``axis=None`` (the default) runs over the flattened array."""
    return _cumulative(torch.cumsum, a, axis, dtype)


def cumprod(a, axis=None, dtype=None) -> torch.Tensor:
    """``jnp.cumprod``: ``axis=None`` (the default) runs over the flattened array."""
    return _cumulative(torch.cumprod, a, axis, dtype)


def transpose(a, axes=None) -> torch.Tensor:
    """``jnp.transpose``: ``axes=None`` reverses every axis (``torch.permute`` needs them all)."""
    a = torch.as_tensor(a)
    if axes is None:
        axes = tuple(range(a.ndim - 1, -1, -1))
    return torch.permute(a, tuple(axes))


def flip(m, axis=None) -> torch.Tensor:
    """``jnp.flip``: ``axis=None`` flips every axis; an int or a sequence of ints is accepted."""
    m = torch.as_tensor(m)
    if axis is None:
        axis = tuple(range(m.ndim))
    elif isinstance(axis, int):
        axis = (axis,)
    return torch.flip(m, tuple(axis))


def expand_dims(a, axis) -> torch.Tensor:
    """``jnp.expand_dims``: ``axis`` may be a sequence; positions refer to the *result*'s axes."""
    a = torch.as_tensor(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = a.ndim + len(axes)
    positions = sorted(ax % ndim for ax in axes)
    if len(set(positions)) != len(positions):
        raise ValueError(f"repeated axis in expand_dims: {axis}")
    shape = list(a.shape)
    for pos in positions:
        shape.insert(pos, 1)
    return a.reshape(shape)


def dot(a, b) -> torch.Tensor:
    """``jnp.dot``: scalars multiply, ``b`` of rank <= 2 is a matmul, otherwise the last axis of
    ``a`` contracts with the second-to-last axis of ``b`` (``torch.dot`` is 1-D only)."""
    a, b = _operands(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return torch.mul(a, b)
    if b.ndim <= 2:
        return torch.matmul(a, b)
    return torch.tensordot(a, b, dims=([-1], [-2]))


def vdot(a, b) -> torch.Tensor:
    """``jnp.vdot``: both inputs flattened, the first conjugated (``torch.vdot`` is 1-D only)."""
    a, b = _operands(a, b)
    return torch.vdot(a.reshape(-1), b.reshape(-1))


def outer(a, b) -> torch.Tensor:
    """``jnp.outer``: both inputs flattened first (``torch.outer`` is 1-D only)."""
    a, b = _operands(a, b)
    return torch.outer(a.reshape(-1), b.reshape(-1))


def sort(a, axis=-1, *, stable=True, descending=False) -> torch.Tensor:
    """``jnp.sort``: the sorted values only (``torch.sort`` also returns indices); stable by
    default as in JAX; ``axis=None`` sorts the flattened array."""
    a = torch.as_tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    return torch.sort(a, dim=axis, stable=stable, descending=descending).values


def imag(val):
    """``jnp.imag``: zeros for real input (``torch.imag`` raises on real tensors)."""
    t = torch.as_tensor(val)
    return torch.imag(t) if t.is_complex() else torch.zeros_like(t)


class _Category:
    """A NumPy abstract dtype category (``jnp.floating`` ...) for :func:`issubdtype`."""

    def __init__(self, name, test):
        self.name, self._test = name, test

    def __repr__(self):
        return f"j2t.numpy.{self.name}"

    def contains(self, dt: torch.dtype) -> bool:
        return self._test(dt)


def _is_unsigned(dt):
    return dt in (torch.uint8, torch.uint16, torch.uint32, torch.uint64)


floating = _Category("floating", lambda d: d.is_floating_point)
complexfloating = _Category("complexfloating", lambda d: d.is_complex)
inexact = _Category("inexact", lambda d: d.is_floating_point or d.is_complex)
integer = _Category("integer", lambda d: not (d.is_floating_point or d.is_complex) and d is not torch.bool)
signedinteger = _Category("signedinteger", lambda d: integer.contains(d) and not _is_unsigned(d))
unsignedinteger = _Category("unsignedinteger", _is_unsigned)
number = _Category("number", lambda d: d is not torch.bool)

_NAMES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64,
          "int8": torch.int8, "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
          "uint8": torch.uint8, "uint16": torch.uint16, "uint32": torch.uint32, "uint64": torch.uint64,
          "bool": torch.bool, "complex64": torch.complex64, "complex128": torch.complex128,
          "float": torch.float32, "int": torch.int32, "complex": torch.complex64}


def dtype(obj) -> torch.dtype:
    """``jnp.dtype``: a torch dtype from a torch dtype, a tensor, a NumPy dtype or a name.

    Python ``float``/``int`` map to float32/int32, JAX's defaults with x64 off.
    """
    if isinstance(obj, torch.dtype):
        return obj
    if isinstance(obj, torch.Tensor):
        return obj.dtype
    if obj is float or obj is int or obj is complex or obj is bool:
        return _NAMES[obj.__name__]
    name = getattr(obj, "name", None) or str(obj)
    if name not in _NAMES:
        raise TypeError(f"cannot interpret {obj!r} as a dtype")
    return _NAMES[name]


def issubdtype(arg1, arg2) -> bool:
    """``jnp.issubdtype`` for torch dtypes and the categories above."""
    d1 = dtype(arg1)
    if isinstance(arg2, _Category):
        return arg2.contains(d1)
    return d1 == dtype(arg2)


def size(a, axis=None) -> int:
    """``jnp.size``: number of elements, or the length of one axis."""
    t = torch.as_tensor(a)
    return t.numel() if axis is None else t.shape[axis]


def isscalar(element) -> bool:
    """``jnp.isscalar``: Python/NumPy scalars, strings, and 0-d arrays (tensors included) count
    (``numpy.isscalar`` says False for 0-d arrays; JAX says True so jit does not change answers)."""
    if isinstance(element, torch.Tensor):
        return element.ndim == 0
    if isinstance(element, (numbers.Number, str, bytes)):
        return True
    ndim = getattr(element, "ndim", None)
    return type(element).__module__ == "numpy" and ndim == 0


def ndim(a) -> int:
    """``jnp.ndim``: number of axes of an array, 0 for a Python number."""
    return a.ndim if isinstance(a, torch.Tensor) else torch.as_tensor(a).ndim


def shape(a) -> tuple:
    """``jnp.shape``: the shape as a tuple, ``()`` for a Python number."""
    return tuple(a.shape if isinstance(a, torch.Tensor) else torch.as_tensor(a).shape)


def _partition_order(a, kth: int, axis: int):
    """The moved-to-last input, its stable ascending order and ``kth`` as a non-negative index."""
    x = torch.as_tensor(a)
    if x.is_complex():
        raise NotImplementedError("jnp.partition for complex dtype is not implemented.")
    x = x.movedim(axis, -1)
    n = x.shape[-1]
    if not -n <= kth < n:
        raise ValueError(f"kth={kth} is out of bounds for axis of size {n}")
    return x, torch.argsort(x, dim=-1, stable=True), kth % n


def partition(a, kth, axis=-1) -> torch.Tensor:
    """``jnp.partition``, value for value: JAX's ``top_k`` construction puts the ``kth + 1``
    smallest entries first in ascending order and the rest after them in descending order."""
    x, order, k = _partition_order(a, kth, axis)
    s = x.gather(-1, order)
    return torch.cat([s[..., : k + 1], s[..., k + 1:].flip(-1)], dim=-1).movedim(-1, axis)


def argpartition(a, kth, axis=-1) -> torch.Tensor:
    """``jnp.argpartition``, index for index: the ``kth + 1`` smallest entries' indices in stable
    ascending order (``top_k`` breaks ties by lower index), then the remaining indices in
    increasing index order, as JAX's proxy ``top_k`` gives."""
    _, order, k = _partition_order(a, kth, axis)
    rest = torch.sort(order[..., k + 1:], dim=-1).values
    return torch.cat([order[..., : k + 1], rest], dim=-1).movedim(-1, axis)


def result_type(*args) -> torch.dtype:
    """``jnp.result_type``: the promoted dtype of arrays, dtypes and Python scalars.

    Tensors and dtypes are strongly typed and promote with ``torch.promote_types``; Python
    scalars are weakly typed (``int8`` tensor with ``3`` stays ``int8``), as in JAX. Scalars alone
    give JAX's x64-off defaults through :func:`dtype` (``float32``, ``int32``...). Half precision
    with a complex scalar gives complex64, JAX's smallest complex type. Float64 inputs
    stay float64 (JAX with x64 off would already have made them float32).
    """
    if not args:
        raise ValueError("at least one array or dtype is required")
    strong, weak = [], []
    for arg in args:
        if isinstance(arg, torch.Tensor):
            strong.append(arg.dtype)
        elif isinstance(arg, (bool, int, float, complex)):
            weak.append(arg)
        else:
            strong.append(dtype(arg))
    if not strong:
        strong, weak = [dtype(type(weak[0]))], weak[1:]
    out = strong[0]
    for d in strong[1:]:
        out = torch.promote_types(out, d)
    for scalar in weak:
        out = torch.result_type(torch.empty((0,), dtype=out), scalar)
    return torch.complex64 if out == torch.complex32 else out  # JAX has no complex32
