"""Transformations whose torch.func counterpart differs in a detail that changes results or shapes."""

from __future__ import annotations

import contextlib
import functools

import torch
import torch.utils.checkpoint
from jax2torch_runtime._custom_ad import custom_jvp, custom_vjp
from jax2torch_runtime._eval_shape import ShapeDtypeStruct, eval_shape
from jax2torch_runtime._lax_reduce import named_call
from jax2torch_runtime._named_axes import vmap
from jax2torch_runtime._placement import (
    device_count,
    device_get,
    device_put,
    devices,
    local_device_count,
    local_devices,
    process_count,
    process_index,
)

__all__ = [
    "ShapeDtypeStruct",
    "block_until_ready",
    "checkpoint",
    "custom_jvp",
    "custom_vjp",
    "debug_print",
    "default_backend",
    "device_count",
    "device_get",
    "device_put",
    "disable_jit",
    "devices",
    "eval_shape",
    "hessian",
    "jacfwd",
    "jit",
    "jvp",
    "local_device_count",
    "local_devices",
    "named_call",
    "process_count",
    "process_index",
    "remat",
    "value_and_grad",
    "vmap",
]


def value_and_grad(fun, argnums=0, has_aux=False):
    """JAX's ``value_and_grad``: returns ``(value, grad)`` (``((value, aux), grad)`` with has_aux).

    ``torch.func.grad_and_value`` returns the pair the other way round.
    """
    inner = torch.func.grad_and_value(fun, argnums=argnums, has_aux=has_aux)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        grad, value = inner(*args, **kwargs)
        return value, grad

    return wrapped


# torch 2.13's forward-mode AD gives float64 tangents when a 0-d float32 primal meets a Python
# float (``x[0] * 2.0`` inside ``jacfwd``, ``jvp`` of ``lambda t: t * 2.0`` at a scalar). JAX with
# x64 off never makes 64-bit arrays, so such leaves are cast back.
_NARROW = {torch.float64: torch.float32, torch.complex128: torch.complex64}


def _leaves(tree):
    return torch.utils._pytree.tree_leaves(tree)


def _narrowed(tree, inputs):
    """``tree`` with 64-bit leaves narrowed, unless an input was 64-bit itself (then torch's
    dtypes are what the user asked for)."""
    if any(isinstance(t, torch.Tensor) and t.dtype in _NARROW for t in _leaves(inputs)):
        return tree
    return torch.utils._pytree.tree_map(
        lambda t: t.to(_NARROW[t.dtype]) if isinstance(t, torch.Tensor) and t.dtype in _NARROW else t, tree)


def jvp(fun, primals, tangents, has_aux=False):
    """``jax.jvp`` on ``torch.func.jvp``: each output tangent has its primal output's dtype, as in
    JAX (torch can return float64 tangents for float32 outputs, see ``_NARROW``)."""
    result = torch.func.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)
    out, tangent_out = result[0], result[1]
    flat_out, _ = torch.utils._pytree.tree_flatten(out)
    flat_tan, spec = torch.utils._pytree.tree_flatten(tangent_out)
    fixed = [t.to(o.dtype) if isinstance(t, torch.Tensor) and isinstance(o, torch.Tensor) and t.dtype != o.dtype else t
             for o, t in zip(flat_out, flat_tan)]
    return (out, torch.utils._pytree.tree_unflatten(fixed, spec), *result[2:])


def jacfwd(fun, argnums=0, has_aux=False):
    """``jax.jacfwd`` on ``torch.func.jacfwd``, with JAX's 32-bit results (see ``_NARROW``)."""
    inner = torch.func.jacfwd(fun, argnums=argnums, has_aux=has_aux)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        return _narrowed(inner(*args, **kwargs), (args, kwargs))

    return wrapped


def hessian(fun, argnums=0):
    """``jax.hessian`` (forward over reverse) on ``torch.func.hessian``, with JAX's 32-bit results."""
    inner = torch.func.hessian(fun, argnums=argnums)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        return _narrowed(inner(*args, **kwargs), (args, kwargs))

    return wrapped


def jit(fun=None, **_options):
    """``jax.jit`` used as a value: eager PyTorch computes the same values, so this returns ``fun``."""
    if fun is None:
        return lambda f: f
    return fun


def checkpoint(fun, *, prevent_cse=True, policy=None, static_argnums=(), static_argnames=()):
    """``jax.checkpoint`` / ``jax.remat``: recompute ``fun``'s intermediates in the backward pass (same values).

    JAX's options only tune what is saved or how the function is traced: eager PyTorch has no CSE
    to prevent, ``torch.utils.checkpoint`` saves the inputs alone (a ``policy`` would save more,
    never change values) and passes non-tensor (static) arguments through unchanged. They are
    accepted so that ``partial(checkpoint, static_argnums=...)`` keeps working.

    Inside ``torch.func`` transforms (``grad``, ``vjp``, ``vmap``...) torch's checkpoint cannot run
    (functorch has no saved-tensor hooks), so there ``fun`` runs plainly: same values, no memory saving.
    """

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        if torch._C._functorch.peek_interpreter_stack() is not None:
            return fun(*args, **kwargs)
        return torch.utils.checkpoint.checkpoint(fun, *args, use_reentrant=False, **kwargs)

    return wrapped


remat = checkpoint


def block_until_ready(x):
    """Waits for pending device work (CUDA) and returns ``x``, like ``jax.block_until_ready``."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return x


def default_backend() -> str:
    """``jax.default_backend()``: ``"gpu"`` when torch sees a CUDA device, else ``"cpu"``."""
    return "gpu" if torch.cuda.is_available() else "cpu"


def debug_print(fmt: str, *args, **kwargs) -> None:
    """``jax.debug.print``: ``str.format`` placeholders, printed eagerly."""
    print(fmt.format(*args, **kwargs))


@contextlib.contextmanager
def disable_jit(disable: bool = True):
    """``jax.disable_jit()``: run compiled code eagerly inside the block. Migrated code is eager
    unless ``--jit compile`` wrapped functions in ``torch.compile``; this switches those off."""
    if not disable:
        yield
        return
    import torch._dynamo

    with torch._dynamo.config.patch(disable=True):
        yield
