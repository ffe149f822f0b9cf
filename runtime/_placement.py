"""``jax.devices`` / ``jax.device_count`` / ``jax.device_put`` on a single host, in torch devices.

JAX's default backend is the GPU when there is one, else the CPU with a single device; torch sees
the same hardware as ``cuda:0..n-1`` or ``cpu``. The lists returned here hold ``torch.device``
objects, which ``Tensor.to`` accepts; JAX's device attributes (``.platform``, ``.id``) are
``.type`` and ``.index`` there. Multi-host (``process_index``) and TPU placement have no mapping.
"""

from __future__ import annotations

import torch
from jax2torch_runtime import tree
from jax2torch_runtime._numpy_core import asarray

__all__ = ["device_count", "device_get", "device_put", "devices", "local_device_count", "local_devices",
           "process_count", "process_index"]

_GPU_NAMES = ("gpu", "cuda", "rocm")


def devices(backend=None) -> list:
    """``jax.devices(backend)``: every device of the backend, the GPUs by default when there are any."""
    if backend is None:
        backend = "gpu" if torch.cuda.is_available() else "cpu"
    if backend == "cpu":
        return [torch.device("cpu")]
    if backend in _GPU_NAMES:
        if not torch.cuda.is_available():
            raise RuntimeError(f"Unknown backend {backend}: torch sees no CUDA device")
        return [torch.device("cuda", i) for i in range(torch.cuda.device_count())]
    raise RuntimeError(f"backend {backend!r} has no torch counterpart (only 'cpu' and 'gpu')")


def local_devices(process_index=None, backend=None) -> list:
    """Single-process: the local devices are all devices."""
    if process_index not in (None, 0):
        raise RuntimeError("jax2torch_runtime maps a single process: process_index must be 0")
    return devices(backend)


def device_count(backend=None) -> int:
    return len(devices(backend))


def local_device_count(backend=None) -> int:
    return len(devices(backend))


def device_put(x, device=None):
    """``jax.device_put``: every array leaf as a tensor, moved to ``device`` when one is given.

    ``device`` is a ``torch.device`` or a device string (``j2t.transforms.devices()[0]``); JAX's
    shardings and layouts have no counterpart and raise.
    """
    if device is not None and not isinstance(device, (torch.device, str, int)):
        raise TypeError(f"device_put: {type(device).__name__} is not a torch device (shardings are not translated)")

    def put(leaf):
        leaf = asarray(leaf)  # NumPy data gets JAX's dtypes (float64 -> float32 with x64 off)
        return leaf if device is None else leaf.to(device)

    return tree.map(put, x)


def device_get(x):
    """``jax.device_get``: every array leaf comes back to the host as a NumPy array (as in JAX);
    other leaves are returned as they are."""
    return tree.map(lambda leaf: leaf.detach().cpu().numpy() if isinstance(leaf, torch.Tensor) else leaf, x)


def process_index() -> int:
    """``jax.process_index``: this runtime maps one process, so 0."""
    return 0


def process_count() -> int:
    """``jax.process_count``: this runtime maps one process, so 1."""
    return 1
