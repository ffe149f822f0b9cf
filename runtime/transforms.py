"""Transformations whose torch.func counterpart differs in a detail that changes results or shapes."""

from __future__ import annotations

import functools

import torch
import torch.utils.checkpoint

__all__ = ["value_and_grad", "jit", "checkpoint", "block_until_ready", "default_backend", "debug_print"]


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


def jit(fun=None, **_options):
    """``jax.jit`` used as a value: eager PyTorch computes the same values, so this returns ``fun``."""
    if fun is None:
        return lambda f: f
    return fun


def checkpoint(fun, **_options):
    """``jax.checkpoint``: recompute ``fun``'s intermediates in the backward pass (same values)."""

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        return torch.utils.checkpoint.checkpoint(fun, *args, use_reentrant=False, **kwargs)

    return wrapped


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
