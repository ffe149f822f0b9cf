"""JAX's strong-Wolfe line search (``jax._src.scipy.optimize.line_search``), step for step.

``j2t.scipy.optimize.minimize`` must take the same steps as JAX, and JAX's search is not SciPy's:
it doubles the step with no upper bound, gives up on a bracket narrower than 1e-5 (float32) or
after 30 zoom steps, starts a zoom with a reversed bracket that fails at once, and floors a
float32 step at 1e-8. So the algorithm (Wright & Nocedal 3.5/3.6) is transcribed with JAX's
branches and counters, every scalar kept as a 0-d tensor of the iterate's dtype so that float32
rounds as it does under JAX. The ``jnp.where`` chains become ``if``s: JAX evaluates both zooms
but each runs zero steps unless its branch is taken, so the counts are the same.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

C1, C2 = 1e-4, 0.9
DELTA_CUBIC, DELTA_QUAD = 0.2, 0.1
ZOOM_MAXITER = 30


class LineSearchResult(NamedTuple):
    failed: bool
    nfev: int
    a_k: torch.Tensor
    f_k: torch.Tensor
    g_k: torch.Tensor
    status: int  # 0 passed, 1 zoom failed, 3 maxiter reached


def _cubicmin(a, fa, fpa, b, fb, c, fc):
    """Minimiser of the cubic through (a, fa) with slope fpa, (b, fb) and (c, fc); NaN if none."""
    db, dc = b - a, c - a
    denom = (db * dc) ** 2 * (db - dc)
    d1 = torch.stack([torch.stack([dc ** 2, -db ** 2]), torch.stack([-dc ** 3, db ** 3])])
    d2 = torch.stack([fb - fa - fpa * db, fc - fa - fpa * dc])
    big_a, big_b = (d1 @ d2) / denom
    radical = big_b * big_b - 3. * big_a * fpa
    return a + (-big_b + torch.sqrt(radical)) / (3. * big_a)


def _quadmin(a, fa, fpa, b, fb):
    db = b - a
    big_b = (fb - fa - fpa * db) / (db ** 2)
    return a - fpa / (2. * big_b)


def _zoom(restricted, wolfe_one, wolfe_two, a_lo, phi_lo, dphi_lo, a_hi, phi_hi, g_0):
    """Algorithm 3.6 as JAX runs it: returns ``(failed, a_star, phi_star, g_star, nfev)``.

    JAX also carries the slope at ``a_hi`` but never reads it, so it is not tracked here.
    """
    threshold = 1e-5 if torch.finfo(a_lo.dtype).bits < 64 else 1e-10
    a_rec, phi_rec = (a_lo + a_hi) / 2., (phi_lo + phi_hi) / 2.
    a_star, phi_star, g_star = torch.ones_like(a_lo), phi_lo, g_0
    done = failed = False
    j = nfev = 0
    while not (done or failed):
        dalpha = a_hi - a_lo
        lo, hi = torch.minimum(a_hi, a_lo), torch.maximum(a_hi, a_lo)
        cchk, qchk = DELTA_CUBIC * dalpha, DELTA_QUAD * dalpha
        # a reversed or collapsed bracket ends the search after this step, as in JAX
        failed = bool(dalpha <= threshold)
        a_j = _cubicmin(a_lo, phi_lo, dphi_lo, a_hi, phi_hi, a_rec, phi_rec)
        if not (j > 0 and lo + cchk < a_j < hi - cchk):
            a_j = _quadmin(a_lo, phi_lo, dphi_lo, a_hi, phi_hi)
            if not (lo + qchk < a_j < hi - qchk):
                a_j = (a_lo + a_hi) / 2.
        phi_j, dphi_j, g_j = restricted(a_j)
        phi_j, dphi_j = phi_j.to(phi_lo.dtype), dphi_j.to(dphi_lo.dtype)
        nfev += 1
        if wolfe_one(a_j, phi_j) or phi_j >= phi_lo:
            a_rec, phi_rec = a_hi, phi_hi
            a_hi, phi_hi = a_j, phi_j
        elif wolfe_two(dphi_j):
            done = True
            a_star, phi_star, g_star = a_j, phi_j, g_j.to(g_0.dtype)
        else:
            if dphi_j * (a_hi - a_lo) >= 0.:
                a_rec, phi_rec = a_hi, phi_hi
                a_hi, phi_hi = a_lo, phi_lo
            else:
                a_rec, phi_rec = a_lo, phi_lo
            a_lo, phi_lo, dphi_lo = a_j, phi_j, dphi_j
        j += 1
        failed = failed or j >= ZOOM_MAXITER
    return failed, a_star, phi_star, g_star, nfev


def line_search(value_and_grad, xk, pk, old_fval, gfk, old_old_fval=None, maxiter=20):
    """Strong-Wolfe search along ``pk`` from ``xk``, where ``value_and_grad(x) -> (f, g)``."""
    dtype = pk.dtype

    def restricted(t):
        phi, g = value_and_grad(xk + t.to(dtype) * pk)
        return phi, torch.dot(g, pk), g

    phi_0, dphi_0 = old_fval, torch.dot(gfk, pk)
    if old_old_fval is not None:
        candidate = 1.01 * 2 * (phi_0 - old_old_fval) / dphi_0
        start = torch.where(candidate > 1, torch.ones_like(candidate), candidate)
    else:
        start = torch.ones((), dtype=dtype)

    def wolfe_one(a_i, phi_i):  # the negation of the sufficient-decrease condition
        return bool(phi_i > phi_0 + C1 * a_i * dphi_0)

    def wolfe_two(dphi_i):
        return bool(torch.abs(dphi_i) <= -C2 * dphi_0)

    a_i1, phi_i1, dphi_i1 = torch.zeros((), dtype=dtype), phi_0, dphi_0
    a_star, phi_star, g_star = torch.zeros((), dtype=dtype), phi_0, gfk
    done = failed = False
    i, nfev = 1, 0
    while not done and i <= maxiter and not failed:
        a_i = start if i == 1 else a_i1 * 2.
        phi_i, dphi_i, g_i = restricted(a_i)
        nfev += 1
        zoom = None
        if wolfe_one(a_i, phi_i) or (i > 1 and phi_i >= phi_i1):
            zoom = (a_i1, phi_i1, dphi_i1, a_i, phi_i)
        elif wolfe_two(dphi_i):
            done = True
            a_star, phi_star, g_star = a_i, phi_i, g_i
        elif dphi_i >= 0.:
            zoom = (a_i, phi_i, dphi_i, a_i1, phi_i1)
        if zoom is not None:
            done = True
            failed, a_star, phi_star, g_star, zoom_nfev = _zoom(restricted, wolfe_one, wolfe_two, *zoom, gfk)
            nfev += zoom_nfev
        i, a_i1, phi_i1, dphi_i1 = i + 1, a_i, phi_i, dphi_i

    status = 1 if failed else 3 if i > maxiter else 0
    if torch.finfo(dtype).bits != 64 and torch.abs(a_star) < 1e-8:
        # JAX's floor: a tiny float32 step would leave the iterate where it is
        a_star = torch.sign(a_star) * 1e-8
    return LineSearchResult(failed=failed or not done, nfev=nfev, a_k=a_star, f_k=phi_star,
                            g_k=g_star, status=status)
