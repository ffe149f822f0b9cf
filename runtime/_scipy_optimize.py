"""``jax.scipy.optimize.minimize`` for torch: JAX's BFGS (and its experimental L-BFGS), step for step.

``torch.optim.LBFGS`` is a stateful optimizer over parameters with different defaults, line search
and stopping rules, so migrated code that reads ``res.x``, ``res.nit`` or ``res.success`` would see
other numbers. This module transcribes JAX's ``minimize_bfgs`` and ``_minimize_lbfgs`` instead
(same line search in ``_scipy_line_search``, same defaults ``gtol=1e-5``, ``maxiter=200*n``,
``norm=inf``, same status codes), with gradients from ``torch.func.grad_and_value``. JAX's
``lax.while_loop`` becomes a Python loop, so the result is computed eagerly (one host sync per
decision) and is not differentiable, as in JAX, which does not differentiate ``minimize`` either.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import torch

from ._scipy_line_search import line_search

__all__ = ["OptimizeResults", "minimize"]


class OptimizeResults(NamedTuple):
    """JAX's result fields; counters are int32 and ``success`` a bool, all 0-d tensors as in JAX.

    ``status``: 0 converged, 1 maxiter reached, 3 zoom failed, 5 line search maxiter reached
    (BFGS), -1 undefined; L-BFGS uses its own codes (4 insufficient progress, 5 line search failed).
    """

    x: torch.Tensor
    success: torch.Tensor
    status: torch.Tensor
    fun: torch.Tensor
    jac: torch.Tensor
    hess_inv: torch.Tensor | None
    nfev: torch.Tensor
    njev: torch.Tensor
    nit: torch.Tensor


def _norm(g, order):
    """``jnp.linalg.norm`` of a vector (the 2-norm written out as JAX computes it)."""
    if order is None or order == 2:
        return torch.sqrt(torch.sum(g * g))
    if order == math.inf:
        return torch.amax(torch.abs(g))
    if order == -math.inf:
        return torch.amin(torch.abs(g))
    return torch.linalg.vector_norm(g, ord=order)


def _bfgs(value_and_grad, x0, maxiter=None, norm=math.inf, gtol=1e-5, line_search_maxiter=10):
    """Algorithm 6.1 of Wright & Nocedal as in ``jax._src.scipy.optimize.bfgs.minimize_bfgs``."""
    if maxiter is None:
        maxiter = x0.numel() * 200
    eye = torch.eye(x0.shape[0], dtype=x0.dtype, device=x0.device)
    x_k, h_k = x0, eye
    f_k, g_k = value_and_grad(x0)
    old_old_fval = f_k + _norm(g_k, None) / 2
    converged, failed = bool(_norm(g_k, norm) < gtol), False
    k, nfev, ls_status = 0, 1, 0
    while not converged and not failed and k < maxiter:
        p_k = -(h_k @ g_k)
        ls = line_search(value_and_grad, x_k, p_k, f_k, g_k, old_old_fval, maxiter=line_search_maxiter)
        nfev += ls.nfev
        failed, ls_status = ls.failed, ls.status
        # JAX moves to the line search's last step even when the search failed
        s_k = ls.a_k * p_k
        y_k = ls.g_k - g_k
        rho_k = 1 / torch.dot(y_k, s_k)
        if torch.isfinite(rho_k):
            w = eye - rho_k * (s_k[:, None] * y_k[None, :])
            h_k = (w @ h_k) @ w.T + rho_k * s_k[:, None] * s_k[None, :]
        converged = bool(_norm(ls.g_k, norm) < gtol)
        k += 1
        old_old_fval = f_k
        x_k, f_k, g_k = x_k + s_k, ls.f_k, ls.g_k
    status = 0 if converged else 1 if k == maxiter else 2 + ls_status if failed else -1
    return OptimizeResults(x=x_k, success=converged and not failed, status=status, fun=f_k, jac=g_k,
                           hess_inv=h_k, nfev=nfev, njev=nfev, nit=k)


def _two_loop_recursion(g_k, k, s_history, y_history, rho_history, gamma):
    """L-BFGS direction ``-H g`` from the (oldest-first) correction history."""
    his_size = rho_history.shape[0]
    curr_size = min(k, his_size)
    q = -g_k
    a_his = torch.zeros_like(rho_history)
    for j in range(curr_size):
        i = his_size - 1 - j
        a_his[i] = rho_history[i] * torch.dot(s_history[i], q)
        q = q - a_his[i] * y_history[i]
    q = gamma * q
    for j in range(curr_size):
        i = his_size - curr_size + j
        b_i = rho_history[i] * torch.dot(y_history[i], q)
        q = q + (a_his[i] - b_i) * s_history[i]
    return q


def _push(history, new):
    return torch.cat([history[1:], new[None]])


def _lbfgs(value_and_grad, x0, maxiter=None, norm=math.inf, maxcor=10, ftol=2.220446049250313e-09,
           gtol=1e-5, maxfun=None, maxgrad=None, maxls=20):
    """Algorithm 7.5 of Wright & Nocedal as in ``jax._src.scipy.optimize._lbfgs`` (real inputs)."""
    d, dtype = x0.shape[0], x0.dtype
    if maxiter is None and maxfun is None and maxgrad is None:
        maxiter = d * 200
    maxiter, maxfun, maxgrad = (math.inf if m is None else m for m in (maxiter, maxfun, maxgrad))
    x_k = x0
    f_k, g_k = value_and_grad(x0)
    s_history = torch.zeros((maxcor, d), dtype=dtype, device=x0.device)
    y_history, rho_history = torch.zeros_like(s_history), torch.zeros(maxcor, dtype=dtype, device=x0.device)
    gamma = torch.ones((), dtype=dtype, device=x0.device)
    converged = failed = False
    k, nfev, status = 0, 1, 0
    while not converged and not failed:
        p_k = _two_loop_recursion(g_k, k, s_history, y_history, rho_history, gamma)
        ls = line_search(value_and_grad, x_k, p_k, f_k, g_k, maxiter=maxls)
        s_k = ls.a_k.to(p_k.dtype) * p_k
        y_k = ls.g_k - g_k
        rho_k_inv = torch.dot(y_k, s_k)
        rho_k = (1 / rho_k_inv).to(y_k.dtype)
        gamma = (rho_k_inv / torch.dot(y_k, y_k)).to(dtype)
        status = 5 if ls.failed else 1 if k >= maxiter else 2 if nfev >= maxfun else \
            3 if nfev >= maxgrad else 4 if f_k - ls.f_k < ftol else 0
        converged = bool(_norm(ls.g_k, norm) < gtol)
        failed = status > 0 and not converged
        status = 0 if converged else status
        k, nfev = k + 1, nfev + ls.nfev
        x_k, f_k, g_k = (x_k + s_k).to(dtype), ls.f_k.to(f_k.dtype), ls.g_k.to(dtype)
        s_history, y_history = _push(s_history, s_k), _push(y_history, y_k)
        rho_history = _push(rho_history, rho_k)
    return OptimizeResults(x=x_k, success=converged and not failed, status=status, fun=f_k, jac=g_k,
                           hess_inv=None, nfev=nfev, njev=nfev, nit=k)


def _as_tensors(res: OptimizeResults) -> OptimizeResults:
    """Python bools and counters as the 0-d bool/int32 tensors JAX returns."""
    device = res.x.device
    return res._replace(
        success=torch.tensor(bool(res.success), device=device),
        **{name: torch.tensor(getattr(res, name), dtype=torch.int32, device=device)
           for name in ("status", "nfev", "njev", "nit")})


def minimize(fun: Callable, x0, args: tuple = (), *, method: str, tol: float | None = None,
             options: Mapping[str, Any] | None = None) -> OptimizeResults:
    """``jax.scipy.optimize.minimize``: ``method`` is ``"BFGS"`` or JAX's
    ``"l-bfgs-experimental-do-not-rely-on-this"``; ``options`` are the solver's keywords
    (BFGS: ``maxiter``, ``norm``, ``gtol``, ``line_search_maxiter``). ``tol`` is accepted and
    ignored, as JAX ignores it. ``x0`` is a 1-D real floating tensor; ``fun(x, *args)`` returns a
    scalar tensor and must be differentiable by ``torch.func``.
    """
    options = dict(options or {})
    if not isinstance(args, tuple):
        raise TypeError(f"args argument to minimize must be a tuple, got {args}")
    x0 = torch.as_tensor(x0).detach()
    if not x0.is_floating_point():
        raise TypeError(f"minimize needs a real floating x0 (gradients of {x0.dtype} inputs are undefined)")
    if x0.ndim != 1:
        raise ValueError(f"minimize needs a 1-D x0, as JAX does; got shape {tuple(x0.shape)}")
    grad_and_value = torch.func.grad_and_value(lambda x: fun(x, *args))

    def value_and_grad(x):
        grad, value = grad_and_value(x)
        return value.detach(), grad.detach()

    solver = {"bfgs": _bfgs, "l-bfgs-experimental-do-not-rely-on-this": _lbfgs}.get(method.lower())
    if solver is None:
        raise ValueError(f"Method {method} not recognized")
    with torch.no_grad():
        return _as_tensors(solver(value_and_grad, x0, **options))
