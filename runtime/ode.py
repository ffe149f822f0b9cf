"""``jax.experimental.ode.odeint`` in torch: JAX's adaptive Dormand-Prince solver, step for step.

The port keeps JAX's algorithm rather than borrowing another solver (torchdiffeq, scipy's RK45)
because those choose other first steps, error norms and interpolants, so their outputs differ
from JAX's by the solver tolerance, not by float rounding. Here every piece follows
``jax/experimental/ode.py``: the Hairer-Norsett-Wanner initial step, the dopri5 tableau, the RMS
error ratio, the step-size update (safety 0.9, growth at most 10x, shrink at most 5x after a
rejected step), the quartic dense output evaluated with Horner's rule, and the loop (at most
``mxstep`` attempted steps per output time, counted afresh for each). The state is raveled into
one vector as ``jax.flatten_util.ravel_pytree`` does and computed in its dtype.

Gradients come from torch autograd through the accepted steps, so memory grows with the number
of steps; JAX instead solves an adjoint ODE backwards in O(1) memory per output time. The step
sizes are chosen from detached values (they only pick the grid), so the gradient is the exact
derivative of the Runge-Kutta solution on that grid; it agrees with JAX's adjoint to within the
solver tolerance, which at the default tolerances is float32 rounding.
"""

from __future__ import annotations

import math
import numbers

import torch

from . import tree

__all__ = ["odeint"]

_ALPHA = [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1., 1., 0]
_BETA = [[1 / 5, 0, 0, 0, 0, 0, 0], [3 / 40, 9 / 40, 0, 0, 0, 0, 0],
         [44 / 45, -56 / 15, 32 / 9, 0, 0, 0, 0],
         [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0, 0],
         [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0, 0],
         [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0]]
_C_SOL = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0]
_C_ERROR = [35 / 384 - 1951 / 21600, 0, 500 / 1113 - 22642 / 50085, 125 / 192 - 451 / 720,
            -2187 / 6784 - -12231 / 42400, 11 / 84 - 649 / 6300, -1. / 60.]
_C_MID = [6025192743 / 30085553152 / 2, 0, 51252292925 / 65400821598 / 2, -2691868925 / 45128329728 / 2,
          187940372067 / 1594534317056 / 2, -1776094331 / 19743644256 / 2, 11237099 / 235043384 / 2]


def odeint(func, y0, t, *args, rtol=1.4e-8, atol=1.4e-8, mxstep=math.inf, hmax=math.inf):
    """Solve ``dy/dt = func(y, t, *args)`` from ``y0`` at ``t[0]``; values at every time in ``t``.

    ``y0`` is a tensor or a pytree of tensors; the result has its structure with a leading axis of
    ``len(t)``. ``t`` is a 1-D floating tensor of strictly increasing times. As in JAX, running out
    of ``mxstep`` steps is not an error: the last dense output is evaluated anyway. Gradients flow
    by autograd through the stored steps (memory O(steps), unlike JAX's O(1) adjoint).
    """
    for arg in tree.leaves(args):
        if not isinstance(arg, (torch.Tensor, numbers.Number)):
            raise TypeError(f"The contents of odeint *args must be arrays or scalars, but got {arg}.")
    ts = torch.as_tensor(t)
    if not ts.is_floating_point():
        raise TypeError(f"t must be an array of floats, but got {t}.")
    leaves, treedef = tree.flatten(y0)
    y_flat, unravel = tree.ravel_pytree(y0)
    if not (y_flat.is_floating_point() or y_flat.is_complex()):
        y_flat = y_flat.to(torch.get_default_dtype())

    def flat_func(y, time):
        return tree.ravel_pytree(func(unravel(y), time, *args))[0]

    ys = _odeint(flat_func, y_flat, ts, rtol, atol, mxstep, hmax)
    return _unravel_rows(ys, leaves, treedef)


def _unravel_rows(ys, leaves, treedef):
    """``jax.vmap(unravel)``: split each row of ``ys`` back into the leaves of ``y0``."""
    originals = [torch.as_tensor(leaf) for leaf in leaves]
    parts = torch.split(ys, [leaf.numel() for leaf in originals], dim=1)
    return treedef.unflatten([part.reshape(ys.shape[0], *leaf.shape).to(leaf.dtype)
                              for part, leaf in zip(parts, originals)])


def _odeint(func, y0, ts, rtol, atol, mxstep, hmax):
    f0 = func(y0, ts[0])
    with torch.no_grad():
        dt = torch.clamp(_initial_step_size(func, ts[0], y0, 4, rtol, atol, f0), 0., hmax)
    tableau = _Tableau(f0.dtype, y0.real.dtype)
    y, f, time, last_t, coeff = y0, f0, ts[0], ts[0], torch.stack([y0] * 5)
    outputs = [y0]
    for target in ts[1:]:
        steps = 0
        while time < target and steps < mxstep and dt > 0:
            next_y, next_f, error, k = _runge_kutta_step(func, y, f, time, dt, tableau)
            with torch.no_grad():
                ratio = _mean_error_ratio(error, rtol, atol, y, next_y)
                new_dt = torch.clamp(_optimal_step_size(dt, ratio), 0., hmax)
            if ratio <= 1.:
                coeff = _interp_fit_dopri(y, next_y, k, dt, tableau)
                y, f, last_t, time = next_y, next_f, time, time + dt
            dt = new_dt
            steps += 1
        relative = (target - last_t) / (time - last_t)
        outputs.append(_polyval(coeff, relative.to(coeff.dtype)))
    return torch.stack(outputs)


class _Tableau:
    """The dopri5 coefficients as tensors in the solver's dtypes (state and step)."""

    def __init__(self, dtype, step_dtype):
        self.alpha = torch.tensor(_ALPHA, dtype=step_dtype)
        self.beta = torch.tensor(_BETA, dtype=dtype)
        self.c_sol = torch.tensor(_C_SOL, dtype=dtype)
        self.c_error = torch.tensor(_C_ERROR, dtype=dtype)
        self.c_mid = torch.tensor(_C_MID, dtype=dtype)


def _initial_step_size(fun, t0, y0, order, rtol, atol, f0):
    """Hairer, Norsett & Wanner, *Solving ODEs I*, Sec. II.4, as JAX writes it."""
    scale = atol + torch.abs(y0) * rtol
    d0 = torch.linalg.vector_norm(y0 / scale)
    d1 = torch.linalg.vector_norm(f0 / scale)
    h0 = torch.where((d0 < 1e-5) | (d1 < 1e-5), torch.tensor(1e-6, dtype=d0.dtype), 0.01 * d0 / d1)
    y1 = y0 + h0.to(y0.dtype) * f0
    f1 = fun(y1, t0 + h0)
    d2 = torch.linalg.vector_norm((f1 - f0) / scale) / h0
    h1 = torch.where((d1 <= 1e-15) & (d2 <= 1e-15), torch.clamp(h0 * 1e-3, min=1e-6),
                     (0.01 / torch.maximum(d1, d2)) ** (1. / (order + 1.)))
    return torch.minimum(100. * h0, h1)


def _runge_kutta_step(func, y0, f0, t0, dt, tableau):
    step = dt.to(f0.dtype)
    k = [f0] + [torch.zeros_like(f0)] * 6
    for i in range(1, 7):
        ti = t0 + dt * tableau.alpha[i - 1]
        yi = y0 + step * (tableau.beta[i - 1] @ torch.stack(k))
        k[i] = func(yi, ti)
    k = torch.stack(k)
    y1 = step * (tableau.c_sol @ k) + y0
    y1_error = step * (tableau.c_error @ k)
    return y1, k[-1], y1_error, k


def _mean_error_ratio(error_estimate, rtol, atol, y0, y1):
    err_tol = atol + rtol * torch.maximum(torch.abs(y0), torch.abs(y1))
    err_ratio = error_estimate / err_tol.to(error_estimate.dtype)
    squared = err_ratio.real ** 2 + err_ratio.imag ** 2 if err_ratio.is_complex() else err_ratio ** 2
    return torch.sqrt(torch.mean(squared))


def _optimal_step_size(last_step, mean_error_ratio, safety=0.9, ifactor=10.0, dfactor=0.2, order=5.0):
    dfactor = 1.0 if mean_error_ratio < 1 else dfactor
    factor = torch.clamp(torch.clamp(mean_error_ratio ** (-1.0 / order) * safety, min=dfactor), max=ifactor)
    return last_step * ifactor if mean_error_ratio == 0 else last_step * factor


def _interp_fit_dopri(y0, y1, k, dt, tableau):
    """The quartic through the step's ends and its midpoint, with the end slopes (dense output)."""
    dt = dt.to(y0.dtype)
    y_mid = y0 + dt * (tableau.c_mid @ k)
    dy0, dy1 = k[0], k[-1]
    a = -2. * dt * dy0 + 2. * dt * dy1 - 8. * y0 - 8. * y1 + 16. * y_mid
    b = 5. * dt * dy0 - 3. * dt * dy1 + 18. * y0 + 14. * y1 - 32. * y_mid
    c = -4. * dt * dy0 + dt * dy1 - 11. * y0 - 5. * y1 + 16. * y_mid
    return torch.stack([a, b, c, dt * dy0, y0])


def _polyval(coeff, x):
    """Horner's rule from zero, as ``jnp.polyval``."""
    y = torch.zeros_like(coeff[0])
    for c in coeff:
        y = y * x + c
    return y
