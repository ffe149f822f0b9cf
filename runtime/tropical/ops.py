"""``PyTorchTropicalOps``: the class API the earlier system's users call, over the functional API.

Its only state is a device (and a default semiring): inputs are moved there, so one object
serves CPU or CUDA. Every method forwards to the function of the same role in this package.
"""

from __future__ import annotations

import torch

from . import conv, elementwise, linalg, polynomial
from ._semiring import as_float_tensor, get_semiring
from .matmul import available_backends, matmul


class PyTorchTropicalOps:
    """Tropical (max-plus by default, or min-plus) operations on one device."""

    def __init__(self, device=None, semiring: str = "max"):
        self.device = torch.device(device) if device is not None else torch.device("cpu")
        self.semiring = get_semiring(semiring).name

    def _t(self, x, name="input"):
        return as_float_tensor(x, name, device=self.device)

    def _sr(self, semiring):
        return semiring or self.semiring

    @property
    def backends(self) -> list[str]:
        """Matmul backends usable on this device, fastest first."""
        return available_backends(self.device)

    def tropical_add(self, a, b, semiring=None):
        return elementwise.add(self._t(a, "a"), self._t(b, "b"), self._sr(semiring))

    def tropical_mul(self, a, b, semiring=None):
        return elementwise.mul(self._t(a, "a"), self._t(b, "b"), self._sr(semiring))

    def tropical_power(self, a, exponent, semiring=None):
        return elementwise.power(self._t(a, "a"), exponent, self._sr(semiring))

    def tropical_sum(self, x, dim=None, keepdim=False, semiring=None):
        return elementwise.sum(self._t(x, "x"), dim, keepdim, self._sr(semiring))

    def tropical_prod(self, x, dim=None, keepdim=False, semiring=None):
        return elementwise.prod(self._t(x, "x"), dim, keepdim, self._sr(semiring))

    def tropical_matmul(self, a, b, semiring=None, backend=None):
        return matmul(self._t(a, "a"), self._t(b, "b"), self._sr(semiring), backend=backend)

    def min_plus_matmul(self, a, b, backend=None):
        return matmul(self._t(a, "a"), self._t(b, "b"), "min", backend=backend)

    def max_plus_matmul(self, a, b, backend=None):
        return matmul(self._t(a, "a"), self._t(b, "b"), "max", backend=backend)

    def polyval(self, coeffs, x, semiring=None):
        return polynomial.polyval(self._t(coeffs, "coeffs"), self._t(x, "x"), self._sr(semiring))

    def tropical_conv1d(self, x, weight, stride=1, padding=0, dilation=1, semiring=None):
        return conv.conv1d(self._t(x, "x"), self._t(weight, "weight"), stride, padding, dilation, self._sr(semiring))

    def tropical_conv2d(self, x, weight, stride=1, padding=0, dilation=1, semiring=None):
        return conv.conv2d(self._t(x, "x"), self._t(weight, "weight"), stride, padding, dilation, self._sr(semiring))

    def matrix_power(self, a, k, semiring=None):
        return linalg.matrix_power(self._t(a, "a"), k, self._sr(semiring))

    def kleene_star(self, a, semiring=None):
        return linalg.kleene_star(self._t(a, "a"), self._sr(semiring))

    def shortest_paths(self, weights, check_negative_cycles=True):
        return linalg.shortest_paths(self._t(weights, "weights"), check_negative_cycles=check_negative_cycles)

    def eigenvalue(self, a, semiring=None):
        return linalg.eigenvalue(self._t(a, "a"), self._sr(semiring))

    def solve(self, a, b, semiring=None, atol=None):
        return linalg.solve(self._t(a, "a"), self._t(b, "b"), self._sr(semiring), atol=atol)

    def __repr__(self):
        return f"PyTorchTropicalOps(device={str(self.device)!r}, semiring={self.semiring!r})"
