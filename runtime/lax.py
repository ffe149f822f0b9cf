"""jax.lax control flow, index arithmetic, convolution and windowed reductions with JAX's
semantics, in plain eager PyTorch (convolution, padding and pooling live in ``_lax_conv``,
``_lax_pad`` and ``_lax_window`` and are re-exported here).

Migrated code calls these as ``j2t.lax.<name>``. Control flow runs as ordinary Python loops and
branches (eager torch has no tracing, so a Python ``if`` is the natural ``lax.cond``); what is
kept from JAX is the *contract*: pytrees of carries and outputs (tuples, lists, dicts, namedtuples,
``None`` as an empty subtree), stacked per-step outputs, ``reverse`` order, the clamping of
``switch`` indices and ``dynamic_slice`` starts. Pytrees are handled by :mod:`optree` when it is
installed (its defaults match JAX: ``None`` is not a leaf, dict keys are sorted) and otherwise by
``torch.utils._pytree``. ``unroll`` and similar compiler hints have no eager meaning and are ignored.
"""

from __future__ import annotations

import builtins

import torch

try:  # optree's defaults are JAX's: None is an empty subtree and dict keys are sorted
    import optree

    def tree_flatten(tree):
        return optree.tree_flatten(tree, none_is_leaf=False)

    def tree_unflatten(leaves, spec):
        return optree.tree_unflatten(spec, leaves)

    def tree_map(fn, tree):
        return optree.tree_map(fn, tree, none_is_leaf=False)
except ImportError:  # torch's own pytrees (None is a leaf there; helpers below pass it through)
    from torch.utils._pytree import tree_flatten, tree_map, tree_unflatten

from ._lax_assoc import associative_scan
from ._lax_reduce import reduce
from ._named_axes import pmax, pmean, pmin, psum  # noqa: F401
from ._lax_conv import (
    conv,
    conv_general_dilated,
    conv_general_dilated_patches,
    conv_transpose,
    conv_with_general_padding,
)
from ._lax_conv_shapes import (
    ConvDimensionNumbers,
    conv_dimension_numbers,
    conv_general_permutations,
    conv_general_shape_tuple,
    conv_shape_tuple,
    conv_transpose_shape_tuple,
)
from ._lax_pad import pad, padtype_to_pads
from ._lax_window import reduce_window, reduce_window_shape_tuple

_py_slice = builtins.slice

__all__ = [
    "associative_scan",
    "reduce",
    "pmax", "pmean", "pmin", "psum",
    "top_k",
    "scan", "fori_loop", "while_loop", "cond", "switch", "map", "stop_gradient",
    "dynamic_slice", "dynamic_update_slice", "dynamic_slice_in_dim", "dynamic_update_slice_in_dim",
    "dynamic_index_in_dim", "slice", "slice_in_dim", "index_in_dim", "broadcast_in_dim",
    "sort", "cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp", "div", "round", "dot_general",
    "conv_general_dilated", "conv", "conv_with_general_padding", "conv_general_dilated_patches", "conv_transpose", "ConvDimensionNumbers",
    "conv_dimension_numbers", "conv_general_permutations", "conv_shape_tuple", "conv_general_shape_tuple",
    "conv_transpose_shape_tuple", "pad", "padtype_to_pads", "reduce_window", "reduce_window_shape_tuple",
]


# ---- control flow --------------------------------------------------------------------------------

def _stack_outputs(outputs: list):
    """Stack a list of per-step pytrees leaf by leaf along a new leading axis (``None`` stays)."""
    if not outputs:
        return None
    flat = [tree_flatten(o) for o in outputs]
    spec = flat[0][1]
    columns = zip(*(leaves for leaves, _ in flat))
    return tree_unflatten([None if col[0] is None else torch.stack([torch.as_tensor(v) for v in col])
                           for col in columns], spec)


def _length_of(xs, length):
    leaves, _ = tree_flatten(xs)
    sizes = {int(leaf.shape[0]) for leaf in leaves}
    if length is not None:
        sizes.add(int(length))
    if len(sizes) != 1:
        raise ValueError(f"scan got inconsistent leading axis sizes / length: {sorted(sizes)}")
    return sizes.pop()


def _as_arrays(tree):
    """Python numbers in a loop's initial carry as 0-d tensors, as JAX makes every carry leaf an
    array (int -> int32, float -> float32, bool -> bool, complex -> complex64): ``i < n`` is then a
    tensor, ``torch.logical_and`` and ``torch.where`` take it, and dtypes follow JAX's."""
    def leaf(v):
        if isinstance(v, bool):
            return torch.tensor(v)
        if isinstance(v, int):
            return torch.tensor(v, dtype=torch.int32)
        if isinstance(v, float):
            return torch.tensor(v, dtype=torch.float32)
        if isinstance(v, complex):
            return torch.tensor(v, dtype=torch.complex64)
        return v
    return tree_map(leaf, tree)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False):
    """``lax.scan``: ``carry, y = f(carry, x)`` over the leading axis of the pytree ``xs``.

    Returns ``(final_carry, ys)`` with the ``y`` pytrees stacked along a new axis 0. With
    ``reverse=True`` the steps run from the last slice to the first, and ``ys[i]`` still belongs
    to ``xs[i]`` (as in JAX). ``xs=None`` needs ``length`` and calls ``f(carry, None)``.
    """
    n = _length_of(xs, length) if xs is not None else int(length)
    leaves, spec = tree_flatten(xs) if xs is not None else ([], None)
    if n == 0:
        return init, _empty_outputs(f, init, leaves, spec, xs is None)
    carry = _as_arrays(init)
    ys = [None] * n
    for i in (range(n - 1, -1, -1) if reverse else range(n)):
        x = tree_unflatten([leaf[i] for leaf in leaves], spec) if xs is not None else None
        carry, ys[i] = f(carry, x)
    return carry, _stack_outputs(ys)


def _empty_outputs(f, init, leaves, spec, no_xs):
    """A zero-step scan: like JAX's trace, run ``f`` once on zeros to learn the shape of ``ys``,
    then return that structure with a leading axis of length 0 (the carry is not updated)."""
    x = None if no_xs else tree_unflatten([leaf.new_zeros(leaf.shape[1:]) for leaf in leaves], spec)
    with torch.no_grad():
        _, y = f(init, x)
    return tree_map(lambda v: None if v is None else torch.as_tensor(v).new_zeros((0, *torch.as_tensor(v).shape)), y)


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """``lax.fori_loop``: ``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``.

    ``i`` is a 0-d int32 tensor, as JAX passes a traced int32 scalar: ``jnp.where(i > 0, a, b)``,
    ``i / n`` and ``x[i]`` then behave as in JAX (a Python int would not go through
    ``torch.where`` and would divide in float64).
    """
    val = _as_arrays(init_val)
    dtype = lower.dtype if isinstance(lower, torch.Tensor) and not lower.is_floating_point() else torch.int32
    for i in range(int(lower), int(upper)):
        val = body_fun(torch.tensor(i, dtype=dtype), val)
    return val


def while_loop(cond_fun, body_fun, init_val):
    """``lax.while_loop``: ``while cond_fun(val): val = body_fun(val)`` (Python numbers in
    ``init_val`` become 0-d tensors first, as in JAX)."""
    val = _as_arrays(init_val)
    pred = cond_fun(val)
    going = _concrete(pred, bool)
    while going:
        val = body_fun(val)
        pred = cond_fun(val)
        going = _concrete(pred, bool)
    if going is None:  # inside torch.func.vmap with a per-example condition
        return _batched_while(cond_fun, body_fun, val, pred)
    return val


def _any_example(pred) -> bool:
    """Whether any example of a ``torch.func.vmap``-batched ``pred`` is true: the batch is
    unwrapped level by level (functorch's own representation), as JAX's vmap of ``while_loop``
    reduces the predicate over the batch."""
    from torch._C import _functorch

    full = torch.as_tensor(pred)
    while _functorch.is_functorch_wrapped_tensor(full):  # vmap levels, and grad levels around them
        level = _functorch.maybe_get_level(full)
        if _functorch.is_batchedtensor(full):
            full = _functorch._unwrap_batched(full, level)[0]
        else:
            full = _functorch._unwrap_for_grad(full, level)
    return bool(full.any())


def _batched_while(cond_fun, body_fun, val, pred):
    """JAX's vmap of ``while_loop``: step every example while any is still running, keeping the
    finished ones' values (``torch.where`` on the per-example predicate)."""
    while _any_example(pred):
        mask = torch.as_tensor(pred) != 0
        new = body_fun(val)
        val = _select_outputs([new, val], lambda n, o: torch.where(mask, n, o))
        pred = cond_fun(val)
    return val


def _concrete(value, convert):
    """``convert(value)`` (``bool`` / ``int``), or None inside ``torch.func.vmap`` when the value is
    batched (differs per example, so no single Python value exists)."""
    try:
        return convert(value)
    except RuntimeError as err:
        if "vmap" not in str(err):
            raise
        return None


def _select_outputs(outs, choose):
    """Leaf by leaf ``choose(*leaves)`` over branch outputs of one pytree structure."""
    flat = [tree_flatten(out) for out in outs]
    spec = flat[0][1]
    if any(len(leaves) != len(flat[0][0]) for leaves, _ in flat):
        raise TypeError("branches of lax.cond/lax.switch must return the same pytree structure")
    return tree_unflatten([choose(*leaves) for leaves in zip(*(leaves for leaves, _ in flat))], spec)


def cond(pred, true_fun, false_fun, *operands, **kwargs):
    """``lax.cond``: ``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``.

    Unlike JAX, only the chosen branch runs (JAX traces both, so side effects differ). The
    legacy ``operand=`` keyword is accepted. Under ``torch.func.vmap`` with a per-example
    ``pred`` both branches run and the results are selected with ``torch.where``, which is what
    JAX's vmap of ``cond`` does too.
    """
    if "operand" in kwargs:
        operands = (*operands, kwargs.pop("operand"))
    if kwargs:
        raise TypeError(f"cond() got unexpected keyword arguments {sorted(kwargs)}")
    chosen = _concrete(pred, bool)
    if chosen is not None:
        return true_fun(*operands) if chosen else false_fun(*operands)
    mask = torch.as_tensor(pred) != 0
    return _select_outputs([true_fun(*operands), false_fun(*operands)], lambda t, f: torch.where(mask, t, f))


def switch(index, branches, *operands, **kwargs):
    """``lax.switch``: ``branches[index](*operands)`` with ``index`` clamped into range, as in JAX.

    Under ``torch.func.vmap`` with a per-example ``index`` every branch runs and the results are
    selected element-wise, as JAX's vmap of ``switch`` does.
    """
    if "operand" in kwargs:
        operands = (*operands, kwargs.pop("operand"))
    if kwargs:
        raise TypeError(f"switch() got unexpected keyword arguments {sorted(kwargs)}")
    last = len(branches) - 1
    i = _concrete(index, int)
    if i is not None:
        return branches[min(max(i, 0), last)](*operands)
    index = torch.as_tensor(index).clamp(0, last)

    def choose(*leaves):
        out = leaves[last]
        for k in range(last - 1, -1, -1):
            out = torch.where(index == k, leaves[k], out)
        return out

    return _select_outputs([branch(*operands) for branch in branches], choose)


def map(f, xs, *, batch_size=None):  # noqa: A001 - mirrors lax.map
    """``lax.map``: ``f`` applied to each leading-axis slice of the pytree ``xs``, outputs stacked.

    ``batch_size`` only changes how JAX vectorises; results are the same and it is ignored.
    """
    leaves, spec = tree_flatten(xs)
    n = _length_of(xs, None)
    return _stack_outputs([f(tree_unflatten([leaf[i] for leaf in leaves], spec)) for i in range(n)])


def stop_gradient(x):
    """``lax.stop_gradient`` on a pytree: every tensor leaf detached, other leaves unchanged."""
    return tree_map(lambda leaf: leaf.detach() if isinstance(leaf, torch.Tensor) else leaf, x)


# ---- slicing -------------------------------------------------------------------------------------

def _starts(operand, start_indices, sizes):
    """JAX's start index rule: negative starts count from the end, then clamp so the window fits."""
    starts = []
    for dim, (start, size) in enumerate(zip(start_indices, sizes)):
        n = operand.shape[dim]
        s = int(start)
        s = s + n if s < 0 else s
        starts.append(min(max(s, 0), n - int(size)))
    return starts


def dynamic_slice(operand, start_indices, slice_sizes, *, allow_negative_indices=True):
    """``lax.dynamic_slice``: a ``slice_sizes`` window at ``start_indices``; negative starts count
    from the end and every start is clamped so the window fits (JAX never raises here)."""
    if len(start_indices) != operand.ndim or len(slice_sizes) != operand.ndim:
        raise ValueError("dynamic_slice needs one start index and one size per operand dimension")
    return operand[_window(_starts(operand, start_indices, slice_sizes), slice_sizes)]


def _window(starts, sizes):
    return tuple(_py_slice(s, s + int(n)) for s, n in zip(starts, sizes))


def dynamic_update_slice(operand, update, start_indices, *, allow_negative_indices=True):
    """``lax.dynamic_update_slice``: a new array with ``update`` written at clamped starts."""
    update = torch.as_tensor(update, dtype=operand.dtype, device=operand.device)
    if len(start_indices) != operand.ndim or update.ndim != operand.ndim:
        raise ValueError("dynamic_update_slice needs update and start indices of the operand's rank")
    starts = _starts(operand, start_indices, update.shape)
    out = operand.clone()
    out[_window(starts, update.shape)] = update
    return out


def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0, *, allow_negative_indices=True):
    """``lax.dynamic_slice_in_dim``: :func:`dynamic_slice` along one axis."""
    axis = axis % operand.ndim
    starts = [0] * operand.ndim
    sizes = list(operand.shape)
    starts[axis], sizes[axis] = start_index, slice_size
    return dynamic_slice(operand, starts, sizes)


def dynamic_update_slice_in_dim(operand, update, start_index, axis, *, allow_negative_indices=True):
    """``lax.dynamic_update_slice_in_dim``: :func:`dynamic_update_slice` along one axis."""
    axis = axis % operand.ndim
    starts = [0] * operand.ndim
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True, *, allow_negative_indices=True):
    """``lax.dynamic_index_in_dim``: one clamped index along ``axis``, kept as a size-1 axis by default."""
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else out.squeeze(axis % operand.ndim)


def slice(operand, start_indices, limit_indices, strides=None):  # noqa: A001 - mirrors lax.slice
    """``lax.slice``: static start/limit/stride per dimension (no clamping needed: JAX requires
    in-range bounds)."""
    strides = strides or (1,) * operand.ndim
    return operand[tuple(_py_slice(int(s), int(e), int(k))
                         for s, e, k in zip(start_indices, limit_indices, strides))]


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    """``lax.slice_in_dim``: ``lax.slice`` along one axis; ``None`` bounds mean the whole axis and
    negative bounds count from the end."""
    index = [_py_slice(None)] * operand.ndim
    index[axis] = _py_slice(start_index, limit_index, stride)
    return operand[tuple(index)]


def index_in_dim(operand, index, axis=0, keepdims=True):
    """``lax.index_in_dim``: a static index along ``axis`` (negative counts from the end)."""
    out = operand.narrow(axis, index % operand.shape[axis], 1)
    return out if keepdims else out.squeeze(axis)


def broadcast_in_dim(operand, shape, broadcast_dimensions, *, out_sharding=None):
    """``lax.broadcast_in_dim``: operand dim ``i`` becomes output dim ``broadcast_dimensions[i]``."""
    operand = torch.as_tensor(operand)
    view = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        view[d] = operand.shape[i]
    return operand.reshape(view).expand(tuple(shape))


# ---- ops whose JAX defaults differ from the torch function of the same name ---------------------

def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """``lax.sort``: one array, or a tuple sorted together by its first ``num_keys`` arrays
    (lexicographically; later operands follow the permutation). Always stable here."""
    if isinstance(operand, torch.Tensor):
        return torch.sort(operand, dim=dimension, stable=True).values
    operands = list(operand)
    order = None
    for key in reversed(operands[:num_keys]):  # stable sorts from the last key to the first
        k = key if order is None else torch.take_along_dim(key, order, dim=dimension)
        step = torch.sort(k, dim=dimension, stable=True).indices
        order = step if order is None else torch.take_along_dim(order, step, dim=dimension)
    return tuple(torch.take_along_dim(x, order, dim=dimension) for x in operands)


def _cumulative(fn, operand, axis, reverse):
    if reverse:
        return torch.flip(fn(torch.flip(operand, (axis,)), axis), (axis,))
    return fn(operand, axis)


def cumsum(operand, axis=0, reverse=False):
    """``lax.cumsum``: default axis 0 and an optional ``reverse`` (suffix sums)."""
    return _cumulative(lambda x, d: torch.cumsum(x, d, dtype=x.dtype), operand, axis, reverse)


def cumprod(operand, axis=0, reverse=False):
    """``lax.cumprod``: default axis 0 and an optional ``reverse``."""
    return _cumulative(lambda x, d: torch.cumprod(x, d, dtype=x.dtype), operand, axis, reverse)


def cummax(operand, axis=0, reverse=False):
    """``lax.cummax``: running maximum values only (``torch.cummax`` also returns indices)."""
    return _cumulative(lambda x, d: torch.cummax(x, d).values, operand, axis, reverse)


def cummin(operand, axis=0, reverse=False):
    """``lax.cummin``: running minimum values only."""
    return _cumulative(lambda x, d: torch.cummin(x, d).values, operand, axis, reverse)


def cumlogsumexp(operand, axis=0, reverse=False):
    """``lax.cumlogsumexp``: ``torch.logcumsumexp`` with JAX's default axis and ``reverse``."""
    return _cumulative(torch.logcumsumexp, operand, axis, reverse)


def div(x, y):
    """``lax.div``: true division for floats, division rounded toward zero for integers (C
    semantics; ``//`` and ``torch.floor_divide`` round toward minus infinity)."""
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    if x.dtype.is_floating_point or x.dtype.is_complex:
        return torch.div(x, y)
    return torch.div(x, y, rounding_mode="trunc")


def round(x, rounding_method=0):  # noqa: A001 - mirrors lax.round
    """``lax.round``: halves away from zero by default (``rounding_method=0``); ``1`` (or
    ``lax.RoundingMethod.TO_NEAREST_EVEN``) rounds halves to even like ``torch.round``."""
    if int(rounding_method) == 1:
        return torch.round(x)
    whole = torch.trunc(x)  # x - trunc(x) is exact, unlike floor(|x| + 0.5) near 0.5 - ulp
    return whole + torch.where(torch.abs(x - whole) >= 0.5, torch.sign(x), torch.zeros_like(x))


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None, *,
                out_sharding=None):
    """``lax.dot_general`` as one ``torch.einsum``.

    ``dimension_numbers = ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch))``. The
    result's axes are the batch axes, then lhs's free axes, then rhs's free axes, in order.
    ``preferred_element_type`` casts both inputs first (torch has no separate accumulator type).
    """
    (lc, rc), (lb, rb) = dimension_numbers
    if preferred_element_type is not None:
        lhs, rhs = lhs.to(preferred_element_type), rhs.to(preferred_element_type)
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    lsub = [next(letters) for _ in range(lhs.ndim)]
    rsub = [None] * rhs.ndim
    for a, b in zip(list(lc) + list(lb), list(rc) + list(rb)):
        rsub[b] = lsub[a]
    rsub = [s if s is not None else next(letters) for s in rsub]
    out = [lsub[a] for a in lb]
    out += [lsub[i] for i in range(lhs.ndim) if i not in lc and i not in lb]
    out += [rsub[i] for i in range(rhs.ndim) if i not in rc and i not in rb]
    return torch.einsum(f"{''.join(lsub)},{''.join(rsub)}->{''.join(out)}", lhs, rhs)


def top_k(operand, k, *, axis=-1):
    """``lax.top_k``: the ``k`` largest entries along ``axis`` (the last by default) and their
    indices, ties broken towards the lower index as JAX documents. A stable descending sort gives
    exactly that order; ``torch.topk`` leaves the order of tied entries unspecified."""
    operand = torch.as_tensor(operand)
    if not 0 <= k <= operand.shape[axis]:
        raise ValueError(f"k must be in [0, {operand.shape[axis]}], got {k}")
    values, indices = torch.sort(operand, dim=axis, descending=True, stable=True)
    return values.narrow(axis, 0, k), indices.narrow(axis, 0, k)
