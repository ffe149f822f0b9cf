"""jax2torch_runtime: PyTorch helpers imported by code that jax2torch migrated.

Depends on torch only (never on the migration engine, libcst or click). Submodules and the
public op classes load lazily so that ``import jax2torch_runtime`` stays cheap.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY_ATTRS = {
    "PyTorchPatternMatcher": "jax2torch_runtime.pattern",
    "PyTorchTropicalOps": "jax2torch_runtime.tropical",
    "PyTorchCompressionOps": "jax2torch_runtime.compression",
    "at": "jax2torch_runtime._at",
}
_SUBMODULES = {"random", "tropical", "compression", "pattern", "lax", "tree", "nn", "numpy", "transforms", "scipy", "util", "ops",
               "image", "ode"}


def __getattr__(name: str):
    if name in _LAZY_ATTRS:
        return getattr(importlib.import_module(_LAZY_ATTRS[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"jax2torch_runtime.{name}")
    raise AttributeError(f"module 'jax2torch_runtime' has no attribute {name!r}")


__all__ = sorted(_LAZY_ATTRS) + sorted(_SUBMODULES)
