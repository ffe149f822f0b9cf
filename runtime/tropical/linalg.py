"""Tropical linear algebra: powers, Kleene star, shortest paths, eigenvalue, residuation solve.

Max-plus reading of a square ``A``: ``A[i, j]`` is the weight of an edge ``i -> j`` (``-inf``: no
edge); ``(A^⊗k)[i, j]`` is the heaviest walk of exactly k edges. Min-plus reads the same with
lightest walks, which is where shortest paths live. Everything runs on :func:`.matmul`, so it
uses the fast kernels and works batched over leading dims.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from ._semiring import as_float_tensor, check_nonempty, get_semiring
from .matmul import matmul


class NegativeCycleError(ValueError):
    """A min-plus star (shortest paths) diverges: some cycle has negative weight."""


class PositiveCycleError(ValueError):
    """A max-plus star diverges: some cycle has positive weight."""


def _square(a, name: str = "a") -> torch.Tensor:
    a = as_float_tensor(a, name)
    if a.dim() < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name} must be a square matrix (or a batch of them), got shape {tuple(a.shape)}")
    check_nonempty(a, name)
    return a


def _identity_like(a: torch.Tensor, zero: float) -> torch.Tensor:
    n = a.shape[-1]
    eye = torch.full((n, n), zero, dtype=a.dtype, device=a.device)
    eye.fill_diagonal_(0.0)
    return eye.expand_as(a)


def matrix_power(a, k: int, semiring: str = "max") -> torch.Tensor:
    """``A^⊗k`` by repeated squaring (``k = 0`` gives the tropical identity)."""
    sr = get_semiring(semiring)
    a = _square(a)
    if int(k) != k or k < 0:
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    result = None
    base = a
    k = int(k)
    while k:
        if k & 1:
            result = base if result is None else matmul(result, base, sr)
        k >>= 1
        if k:
            base = matmul(base, base, sr)
    return _identity_like(a, sr.zero).clone() if result is None else result


def _cycle_tolerance(a: torch.Tensor) -> torch.Tensor:
    """Rounding slack for deciding that a cycle's weight is really non-zero."""
    finite = torch.where(torch.isfinite(a), a.abs(), torch.zeros_like(a))
    scale = finite.amax(dim=(-2, -1)).clamp_min(1.0)
    return scale * a.shape[-1] * torch.finfo(a.dtype).eps * 4


def kleene_star(a, semiring: str = "max") -> torch.Tensor:
    """``A* = I ⊕ A ⊕ A^⊗2 ⊕ ...``: best walk weights of any length (all-pairs).

    Computed as ``(I ⊕ A)^⊗2^p`` with ``2^p >= n - 1`` (O(n^3 log n) on the fast kernels). The
    series converges iff no cycle beats the one (positive cycles in max-plus, negative in
    min-plus); otherwise :class:`PositiveCycleError` / :class:`NegativeCycleError` is raised,
    decided by the diagonal of ``A ⊗ A*`` (a closed walk better than 0, beyond rounding).
    """
    sr = get_semiring(semiring)
    a = _square(a)
    n = a.shape[-1]
    step = sr.plus(_identity_like(a, sr.zero), a)
    star = step
    length = 1
    while length < n - 1:
        star = matmul(star, star, sr)
        length *= 2
    closed = torch.diagonal(matmul(a, star, sr), dim1=-2, dim2=-1)
    tol = _cycle_tolerance(a).unsqueeze(-1)
    diverges = closed > tol if sr.is_max else closed < -tol
    if bool(diverges.any()):
        nodes = diverges.nonzero()[:, -1].unique().tolist()
        if sr.is_max:
            raise PositiveCycleError(f"the max-plus Kleene star diverges: positive cycle through nodes {nodes}")
        raise NegativeCycleError(f"the min-plus Kleene star diverges: negative cycle through nodes {nodes}")
    return star


def shortest_paths(weights, *, check_negative_cycles: bool = True) -> torch.Tensor:
    """All-pairs shortest path lengths of a weighted digraph (``inf`` = no edge).

    The min-plus Kleene star of ``weights`` (the diagonal of ``weights`` is ignored: a node is at
    distance ``min(0, best cycle)`` from itself). Raises :class:`NegativeCycleError` when a
    negative cycle makes some distance unbounded; pass ``check_negative_cycles=False`` to get the
    (then meaningless for affected pairs) result of ``n - 1`` relaxation rounds instead.
    """
    w = _square(weights, "weights")
    if not check_negative_cycles:
        sr = get_semiring("min")
        star = sr.plus(_identity_like(w, sr.zero), w)
        length = 1
        while length < w.shape[-1] - 1:
            star = matmul(star, star, sr)
            length *= 2
        return star
    return kleene_star(w, "min")


def has_negative_cycle(weights) -> torch.Tensor:
    """Boolean per matrix of the batch: does the digraph have a negative-weight cycle?"""
    w = _square(weights, "weights")
    try:
        kleene_star(w, "min")
    except NegativeCycleError:
        if w.dim() == 2:
            return torch.tensor(True)
        flat = w.reshape(-1, *w.shape[-2:])
        return torch.stack([has_negative_cycle(x) for x in flat]).reshape(w.shape[:-2])
    return torch.zeros(w.shape[:-2], dtype=torch.bool)


def eigenvalue(a, semiring: str = "max") -> torch.Tensor:
    """Tropical eigenvalue: the maximum cycle mean (max-plus) or minimum cycle mean (min-plus).

    Karp's algorithm from a virtual source joined to every node by a 0-weight edge, so graphs
    that are not strongly connected work too (the result is then the best cycle mean over the
    whole graph, the largest eigenvalue). ``D_k = D_{k-1} ⊗ A`` for k = 1..n, then
    ``λ = max_v min_{k<n} (D_n[v] - D_k[v]) / (n - k)`` over nodes v with a finite ``D_n[v]``.
    Returns the tropical zero for an acyclic graph. O(n^3), batched over leading dims.
    """
    sr = get_semiring(semiring)
    a = _square(a)
    n = a.shape[-1]
    d = [torch.zeros(a.shape[:-1], dtype=a.dtype, device=a.device)]
    for _ in range(n):
        d.append(matmul(d[-1].unsqueeze(-2), a, sr).squeeze(-2))
    dn = d[-1]
    valid_n = torch.isfinite(dn)
    inner_worst = torch.full_like(dn, -sr.zero)
    for k in range(n):
        valid_k = torch.isfinite(d[k]) & valid_n
        ratio = torch.where(valid_k, (dn - torch.where(valid_k, d[k], torch.zeros_like(dn))) / (n - k),
                            torch.full_like(dn, -sr.zero))
        inner_worst = torch.minimum(inner_worst, ratio) if sr.is_max else torch.maximum(inner_worst, ratio)
    candidates = torch.where(valid_n, inner_worst, torch.full_like(dn, sr.zero))
    return sr.reduce(candidates, -1)


class TropicalSolution(NamedTuple):
    """Result of :func:`solve`: the greatest subsolution, whether it solves exactly, the residual."""

    x: torch.Tensor
    exact: torch.Tensor
    residual: torch.Tensor


def solve(a, b, semiring: str = "max", *, atol: float | None = None) -> TropicalSolution:
    """Solve ``A ⊗ x = b`` by residuation.

    Max-plus: the principal (greatest) subsolution ``x̂_j = min_i (b_i - A_ij)`` over the i with
    ``A_ij`` finite satisfies ``A ⊗ x̂ <= b``, and the system has a solution iff ``A ⊗ x̂ = b``
    (then x̂ is the greatest one). Min-plus is the order dual (least supersolution, max of the
    differences). ``exact`` says whether ``A ⊗ x̂`` matches ``b`` within ``atol`` (default: a few
    ulps of the data's scale); ``residual`` is ``max |A ⊗ x̂ - b|`` over finite entries.
    ``b`` may be ``(m,)`` or ``(m, r)`` for r right-hand sides, batched like ``A``.
    """
    sr = get_semiring(semiring)
    a = as_float_tensor(a, "a")
    b = as_float_tensor(b, "b", device=a.device)
    if a.dim() < 2:
        raise ValueError(f"a must be a matrix, got shape {tuple(a.shape)}")
    check_nonempty(a, "a")
    vector = b.dim() == a.dim() - 1
    if vector:
        b = b.unsqueeze(-1)
    if b.shape[-2] != a.shape[-2]:
        raise ValueError(f"a has {a.shape[-2]} rows but b has {b.shape[-2]}")
    dtype = torch.promote_types(a.dtype, b.dtype)
    a, b = a.to(dtype), b.to(dtype)
    # diff[..., i, j, r] = b_ir - a_ij, with "no constraint" where a_ij is the zero.
    diff = b.unsqueeze(-2) - a.unsqueeze(-1)
    free = (a == sr.zero).unsqueeze(-1).expand_as(diff)
    b_zero = (b == sr.zero).unsqueeze(-2).expand_as(diff)
    diff = torch.where(b_zero & ~free, torch.full_like(diff, sr.zero), diff)
    diff = torch.where(free, torch.full_like(diff, sr.top), diff)
    x = torch.amin(diff, dim=-3) if sr.is_max else torch.amax(diff, dim=-3)
    back = matmul(a, x, sr)
    both_finite = torch.isfinite(back) & torch.isfinite(b)
    gap = torch.where(both_finite, (back - b).abs(), torch.zeros_like(b))
    same_inf = (back == b) | both_finite
    if atol is None:
        finite_b = torch.where(torch.isfinite(b), b.abs(), torch.zeros_like(b))
        atol = float(finite_b.max().clamp_min(1.0)) * torch.finfo(dtype).eps * 8
    exact = (same_inf & (gap <= atol)).flatten(-2).all(-1)
    residual = torch.where(same_inf, gap, torch.full_like(gap, float("inf"))).flatten(-2).amax(-1)
    if vector:
        x = x.squeeze(-1)
    return TropicalSolution(x, exact, residual)
