"""Slow, obviously-correct reference implementations of the pattern ops (NumPy and loops)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np


def find_1d(x, p):
    """Starts where ``p`` equals ``x`` element-wise under IEEE ``==``."""
    x, p = np.asarray(x), np.asarray(p)
    m = len(p)
    return [i for i in range(len(x) - m + 1) if all(x[i + j] == p[j] for j in range(m))]


def distances_1d(x, p, metric):
    """Float64 distances of every window (from the values as given)."""
    x, p = np.asarray(x, dtype=np.float64), np.asarray(p, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(x, len(p))
    diff = windows - p
    return np.sqrt((diff * diff).sum(1)) if metric == "l2" else np.abs(diff).max(1)


def along_dim(x, dim, fn):
    """Apply a 1-D reference to every line of ``x`` along ``dim``; yields (index tuple, value)."""
    dim %= np.ndim(x)
    x = np.moveaxis(np.asarray(x), dim, -1)
    out = []
    for other in np.ndindex(*x.shape[:-1]):
        for start, value in fn(x[other]):
            idx = list(other)
            idx.insert(dim, start)
            out.append((tuple(idx), value))
    return sorted(out)


def keys(x, tol):
    """Element keys as the pattern module defines equality for grouping."""
    out = []
    for v in np.asarray(x).ravel().tolist():
        if tol is not None:
            out.append("nan" if math.isnan(v) else int(np.round(np.clip(v / tol, -(2.0**61), 2.0**61))))
        elif isinstance(v, float) and math.isnan(v):
            out.append("nan")
        else:
            out.append(v + 0 if isinstance(v, float) else v)  # -0.0 + 0 == 0.0
    return out


def window_groups(key_list, k, stride=1):
    """{window tuple: [starts]} in order of first appearance."""
    groups: dict = {}
    for i in range(0, len(key_list) - k + 1, stride):
        groups.setdefault(tuple(key_list[i : i + k]), []).append(i)
    return groups


def recurring(x, k, top, tol, min_count=2):
    groups = window_groups(keys(x, tol), k)
    ranked = sorted(groups.values(), key=lambda starts: (-len(starts), starts[0]))
    ranked = [s for s in ranked if len(s) >= min_count]
    return ranked if top is None else ranked[:top]


def entropy(x, k, tol):
    counts = Counter(tuple(w) for w in _windows(keys(x, tol), k))
    total = sum(counts.values())
    return -sum(c / total * math.log(c / total) for c in counts.values())


def _windows(key_list, k):
    return [key_list[i : i + k] for i in range(len(key_list) - k + 1)]


def hierarchy(x, k, levels, branching, tol):
    """[(span, symbols)] per level, symbols numbered by first appearance."""
    seq, width, span, out = keys(x, tol), k, k, []
    for level in range(levels):
        if level and len(seq) < branching:
            break
        names: dict = {}
        symbols = [names.setdefault(tuple(seq[i : i + width]), len(names)) for i in range(0, len(seq) - width + 1, width)]
        out.append((span, symbols))
        seq, width, span = symbols, branching, span * branching
    return out


def batched(seqs, pats, tol, metric):
    """Every (pattern, sequence, start) match of a batched search with its distance, sorted."""
    rows = []
    for pi, p in enumerate(pats):
        for si, s in enumerate(seqs):
            if len(p) > len(s):
                continue
            if tol is None:
                rows += [((pi, si, st), 0.0) for st in find_1d(s, p)]
            else:
                d = distances_1d(s, p, metric)
                rows += [((pi, si, int(st)), d[st]) for st in np.nonzero(d <= tol)[0]]
    return sorted(rows)

