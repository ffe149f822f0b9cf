"""The "store as is" encoding: the fallback when nothing beats the original bytes or error budget."""

from __future__ import annotations

import torch

from . import _checks
from .container import Compressed, dtype_name


class RawTensor(Compressed):
    kind = "raw"

    def decompress(self) -> torch.Tensor:
        return self.data["values"].view(self.shape)


def raw_encode(x: torch.Tensor) -> RawTensor:
    _checks.check_tensor(x, "x")
    return RawTensor({"values": x.detach().reshape(-1).clone()}, {"shape": list(x.shape), "dtype": dtype_name(x.dtype)})
