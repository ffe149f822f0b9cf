"""``jax._src.util`` helpers that JAX's own example libraries import (``safe_map``, ``safe_zip``,
``unzip2``): eager lists with the same length checks. Torch-free pure Python."""

from __future__ import annotations

__all__ = ["safe_map", "safe_zip", "unzip2", "unzip3"]


def _same_length_lists(name: str, args) -> list[list]:
    lists = [list(a) for a in args]
    if any(len(a) != len(lists[0]) for a in lists[1:]):
        raise ValueError(f"{name}: length mismatch: {[len(a) for a in lists]}")
    return lists


def safe_map(f, *args) -> list:
    """``map`` that checks every iterable has the same length and returns a list."""
    return list(map(f, *_same_length_lists("safe_map", args)))


def safe_zip(*args) -> list:
    """``zip`` that needs at least one iterable, checks equal lengths and returns a list."""
    if not args:
        raise TypeError("safe_zip requires at least 1 argument.")
    return list(zip(*_same_length_lists("safe_zip", args)))


def unzip2(xys) -> tuple[tuple, tuple]:
    """Pairs -> (firsts, seconds), both tuples (eager, exactly two outputs)."""
    xs, ys = [], []
    for x, y in xys:
        xs.append(x)
        ys.append(y)
    return tuple(xs), tuple(ys)


def unzip3(xyzs) -> tuple[tuple, tuple, tuple]:
    """Triples -> three tuples."""
    xs, ys, zs = [], [], []
    for x, y, z in xyzs:
        xs.append(x)
        ys.append(y)
        zs.append(z)
    return tuple(xs), tuple(ys), tuple(zs)
