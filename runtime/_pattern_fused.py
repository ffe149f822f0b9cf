"""Pattern search as one fused numba kernel on the CPU (the optional ``fast`` extra).

Why: the torch engine (``_pattern_engine``) filters every start with whole-tensor column passes,
a ``nonzero`` and a sparse verification, each a separate pass over memory; a wide tolerance leaves
many candidates and 64 patterns multiply the candidate pairs, so it cost ~32x a clone (wide L2)
and ~14 ms (64-pattern approximate batch). Here the starts are cut into tiles of 2048 that stay in
L1. For each tile and pattern, dense vectorized passes fold two columns at a time into a running
distance and count the survivors, until at most 1 in 1024 starts survive (random data: one pass
at tol 0.1, three or four at tol 1.0); the survivors are then found through 64-bit masks and
finished one by one with an early exit. Patterns take turns on the same tile, so a batch costs
one dense pass per pattern and tile, not one candidate list per pair.

Single-threaded on purpose: at 100k elements the work is ~50-100 µs, and numba's OpenMP workers
spin after a parallel region, which slows the caller's next torch op on a 2-core machine (see
docs/tropical.md); the batched search is the only part long enough to gain from threads.

Semantics equal the torch engine's: differences in the compute dtype (``x - p`` in float32 or
float64), L2 as the sum of squares against ``tol**2`` rounded to that dtype, L-inf as the largest
``|x - p|`` with NaN ruling a window out, exact as IEEE ``==``. Squares are summed column by
column here and partly block by block there, so L2 distances agree to float rounding and a window
within rounding of ``tol`` may fall either way (as between CPU and CUDA); the tests check both
paths against the loop references, ties at ``tol`` included.
"""

from __future__ import annotations

import math

import numpy as np
import torch

try:
    from numba import njit, uint64
    from numba.cpython.unsafe.numbers import trailing_zeros
except ImportError:  # numba is the optional "fast" extra; the torch engine takes over
    njit = None

use_numba = njit is not None  # module switch, so tests can exercise the torch engine too

EXACT, L2, LINF = 0, 1, 2
_METRICS = {None: EXACT, "l2": L2, "linf": LINF}
_TILE = 2048  # starts accumulated together; their columns (8 KB each in float32) stay in L1
# Dense passes continue while more than 1 in _DENSE starts of a tile survive: a pass costs about
# what the survivor scan of a tile costs, and each one cuts survivors several-fold.
_DENSE = 1024
# Most patterns searched here; beyond them the torch engine's one-pass hashed candidate lookup
# (``_pattern_multi``) wins, since this kernel makes one dense pass per pattern. For exact search
# that lookup is cheap (64 patterns, 100k elements: ~0.8 ms there, ~1.2 ms here), so the cut is low.
_MAX_PATTERNS = 512
_MAX_EXACT_PATTERNS = 32


# float32 constants: they keep float32 loops in float32 (and widen exactly in float64 ones).
_INF32, _ONE32, _ZERO32 = np.float32(np.inf), np.float32(1), np.float32(0)

if njit is not None:
    # One pass per metric folds one or two columns (``x0``/``p0``, then ``x1``/``p1`` when ``two``)
    # into ``a`` (overwritten when ``fresh``) over contiguous slices, which LLVM vectorizes; two
    # columns per pass halve the reads and writes of ``a``. The survivor count is a float32 sum of
    # 0/1 (exact up to 2**24 > _TILE); ``reassoc`` lets it be summed in vector lanes and changes
    # nothing else here (no other reduction chains; no ``contract``, so no FMA).
    @njit(cache=True, nogil=True, fastmath={"reassoc"})
    def _l2_columns(a, fresh, x0, p0, x1, p1, two, thr):
        alive = np.float32(0)
        for t in range(a.shape[0]):
            d = x0[t] - p0
            v = d * d if fresh else a[t] + d * d
            if two:
                e = x1[t] - p1
                v = v + e * e
            a[t] = v
            alive += np.float32(1) if v <= thr else np.float32(0)
        return alive

    @njit(cache=True, nogil=True, fastmath={"reassoc"})
    def _linf_columns(a, fresh, x0, p0, x1, p1, two, thr):
        alive = np.float32(0)
        for t in range(a.shape[0]):
            d = abs(x0[t] - p0)
            v = _INF32 if np.isnan(d) else d  # NaN rules the window out, as torch.maximum would
            if not fresh:
                v = max(v, a[t])  # no NaN left: max is exact and order-free
            if two:
                e = abs(x1[t] - p1)
                v = max(v, _INF32 if np.isnan(e) else e)
            a[t] = v
            alive += np.float32(1) if v <= thr else np.float32(0)
        return alive

    @njit(cache=True, nogil=True, fastmath={"reassoc"})
    def _exact_columns(a, fresh, x0, p0, x1, p1, two, thr):
        alive = np.float32(0)
        for t in range(a.shape[0]):
            v = (_ONE32 if x0[t] != p0 else _ZERO32) + (_ZERO32 if fresh else a[t])  # NaN != anything
            if two:
                v = v + (_ONE32 if x1[t] != p1 else _ZERO32)
            a[t] = v
            alive += np.float32(1) if v <= thr else np.float32(0)  # thr is 0 for exact search
        return alive

    @njit(cache=True, nogil=True)
    def _survivors(a, used, thr, cand, alive):
        """Indices ``t < used`` with ``a[t] <= thr`` into ``cand`` (``alive`` of them); returns how many.

        ``a`` is padded to whole blocks of 64 with values that never survive. Each block becomes a
        64-bit mask in one vectorized loop (an integer OR reduction), and only its set bits are
        visited, so the cost is one pass of compares plus a few instructions per survivor, with no
        data-dependent branch per element.
        """
        n = 0
        for b in range(0, used, 64):
            mask = uint64(0)
            for u in range(64):
                mask |= uint64(a[b + u] <= thr) << uint64(u)
            while mask:
                cand[n] = b + trailing_zeros(mask)
                n += 1
                mask &= mask - uint64(1)
            if n >= alive:  # the dense pass counted them: the rest of the tile holds none
                break
        return n

    @njit(cache=True, nogil=True)
    def _finish(x, start, p, j, a, thr, metric):
        """Accumulate columns ``j..m-1`` of one start onto ``a``; returns (matched, a)."""
        m = p.shape[0]
        while j < m:
            d = x[start + j] - p[j]
            if metric == L2:
                a += d * d
                if not a <= thr:
                    return False, a
            elif metric == LINF:
                d = abs(d)
                if not d <= thr:
                    return False, a
                a = max(a, d)  # d is not NaN here
            elif x[start + j] != p[j]:
                return False, a
            j += 1
        return True, a

    @njit(cache=True, nogil=True)
    def _tile(x, first, tn, p, full, thr, metric, cand, found, found_acc):
        """Matches of pattern ``p`` at the ``tn`` starts from ``first`` into ``found``; returns how many.

        Dense passes while more than 1 in ``_DENSE`` starts survive, then the survivors one by one.
        ``full`` is the scratch distance buffer (``_TILE + 64`` long, for the mask padding);
        ``found_acc`` gets the sum of squares (L2), maximum (L-inf) or 0 (exact) of each match.
        """
        m = p.shape[0]
        a = full[:tn]
        j = 0
        while j < m:
            two = j + 1 < m
            x0 = x[first + j : first + j + tn]
            x1 = x[first + j + 1 : first + j + 1 + tn] if two else x0
            p1 = p[j + 1] if two else p[j]
            if metric == L2:
                alive = _l2_columns(a, j == 0, x0, p[j], x1, p1, two, thr)
            elif metric == LINF:
                alive = _linf_columns(a, j == 0, x0, p[j], x1, p1, two, thr)
            else:
                alive = _exact_columns(a, j == 0, x0, p[j], x1, p1, two, thr)
            j += 2 if two else 1
            if alive * _DENSE <= tn:
                break
        if alive == 0:
            return 0
        for t in range(tn, (tn + 63) // 64 * 64):
            full[t] = _INF32
        n = _survivors(full, tn, thr, cand, alive)
        nf = 0
        for q in range(n):
            t = cand[q]
            ok, v = _finish(x, first + t, p, j, a[t], thr, metric)
            found[nf] = first + t
            found_acc[nf] = v
            nf += ok
        return nf

    @njit(cache=True, nogil=True)
    def _search_kernel(x, offsets, widths, pats, metric, thr):
        """Every match of every pattern, in order of (row, tile, pattern, start), with distances."""
        npat = pats.shape[0]
        acc = np.empty(_TILE + 64, dtype=x.dtype)
        cand = np.empty(_TILE, dtype=np.int64)
        found = np.empty(_TILE, dtype=np.int64)
        found_acc = np.empty(_TILE, dtype=x.dtype)
        size = 1024
        out_pat = np.empty(size, dtype=np.int64)
        out_start = np.empty(size, dtype=np.int64)
        out_acc = np.empty(size, dtype=x.dtype)
        count = 0
        for r in range(offsets.shape[0]):
            for tile in range(0, widths[r], _TILE):
                tn = min(_TILE, widths[r] - tile)
                first = offsets[r] + tile
                for k in range(npat):
                    nf = _tile(x, first, tn, pats[k], acc, thr, metric, cand, found, found_acc)
                    if nf == 0:
                        continue
                    if count + nf > size:
                        size = 2 * (count + nf)
                        out_pat = _grown(out_pat, count, size)
                        out_start = _grown(out_start, count, size)
                        out_acc = _grown(out_acc, count, size)
                    out_pat[count : count + nf] = k
                    out_start[count : count + nf] = found[:nf]
                    out_acc[count : count + nf] = found_acc[:nf]
                    count += nf
        dist = out_acc[:count].copy()
        if metric == L2:
            for q in range(count):
                dist[q] = np.sqrt(dist[q])  # IEEE sqrt in the compute dtype, as torch's sqrt
        return out_pat[:count].copy(), out_start[:count].copy(), dist

    @njit(cache=True, nogil=True)
    def _grown(buf, used, size):
        """``buf`` with room for ``size`` entries, its first ``used`` kept."""
        out = np.empty(size, dtype=buf.dtype)
        out[:used] = buf[:used]
        return out

    @njit(cache=True, nogil=True)
    def _by_pattern(pat, start, acc, npat):
        """The matches ordered by (pattern, start): a stable counting sort on the pattern id."""
        first = np.zeros(npat + 1, dtype=np.int64)
        for q in range(pat.shape[0]):
            first[pat[q] + 1] += 1
        for k in range(npat):
            first[k + 1] += first[k]
        out_pat = np.empty_like(pat)
        out_start = np.empty_like(start)
        out_acc = np.empty_like(acc)
        for q in range(pat.shape[0]):
            dst = first[pat[q]]
            first[pat[q]] += 1
            out_pat[dst], out_start[dst], out_acc[dst] = pat[q], start[q], acc[q]
        return out_pat, out_start, out_acc


_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _compute_dtype(xflat, patterns):
    return torch.float64 if torch.float64 in (xflat.dtype, patterns.dtype) else torch.float32


def _threshold(metric, tol, cdt):
    """The bound the running distance is compared with, rounded exactly as the torch engine rounds
    it (``tol`` in ``cdt``, squared in ``cdt`` for L2), or None when that is not finite.

    A float32 square is computed exactly in float64 (24-bit mantissas) and rounded once, which is
    what an IEEE float32 multiply does.
    """
    if metric is None:
        return np.float32(0) if cdt == torch.float32 else np.float64(0)
    if cdt == torch.float64:
        limit = tol * tol if metric == "l2" else tol
        return np.float64(limit) if math.isfinite(limit) else None
    if tol > _FLOAT32_MAX:
        return None
    limit = float(np.float32(tol))
    limit = limit * limit if metric == "l2" else limit
    return np.float32(limit) if limit <= _FLOAT32_MAX else None


def plan(xflat: torch.Tensor, patterns: torch.Tensor, metric: str | None, tol: float):
    """The threshold to pass to :func:`search` when the fused kernel handles this search, else None.

    It does for: numba present, CPU, floating data and patterns (one dtype for exact search), a
    threshold that stays finite in the compute dtype, at most ``_MAX_PATTERNS`` patterns
    (``_MAX_EXACT_PATTERNS`` for exact search).
    Half-precision data is widened to float32 first; that keeps exact search exact (widening
    preserves ``==``, NaN and signed zeros) and is what approximate search computes in anyway.
    """
    if not use_numba or xflat.device.type != "cpu" or patterns.device.type != "cpu":
        return None
    if xflat.dtype not in _FLOATS or patterns.dtype not in _FLOATS or patterns.shape[0] > _MAX_PATTERNS:
        return None
    if metric is None and (patterns.dtype != xflat.dtype or patterns.shape[0] > _MAX_EXACT_PATTERNS):
        return None
    return _threshold(metric, tol, _compute_dtype(xflat, patterns))


def search(xflat, offsets, widths, patterns, metric, thr):
    """``(pattern_ids, flat_starts, distances)`` sorted by pattern then start, like the engine.

    ``offsets[r]`` (int64 numpy) is where row ``r`` starts in ``xflat`` and ``widths[r]`` how many
    valid starts it has (rows of zero width are allowed); ``thr`` comes from :func:`plan`.
    """
    cdt = _compute_dtype(xflat, patterns)
    x = xflat.detach().to(cdt).contiguous().numpy()
    pats = patterns.detach().to(cdt).contiguous().numpy()
    pat, start, dist = _search_kernel(x, offsets, widths, pats, _METRICS[metric], thr)
    if pats.shape[0] > 1:
        pat, start, dist = _by_pattern(pat, start, dist, pats.shape[0])
    return torch.from_numpy(pat), torch.from_numpy(start), torch.from_numpy(dist)
