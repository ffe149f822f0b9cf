"""The pure-torch sparse path (set-bit positions from the packed bitmap) against ``nonzero`` references."""

from __future__ import annotations

import pytest
import torch
from jax2torch_runtime import compression as C
from jax2torch_runtime.compression import sparse
from jax2torch_runtime.compression._compact import set_bit_positions
from jax2torch_runtime.compression.bitpack import bitmap_of

SIZES = [1, 7, 8, 9, 63, 64, 65, 1000, 4099]
DENSITIES = [0.0, 0.03, 0.5, 0.97, 1.0]
BIT_VIEW = {1: torch.int8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def _mask(n, density, seed):
    return torch.rand(n, generator=torch.Generator().manual_seed(seed)) < density


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("density", DENSITIES)
@pytest.mark.parametrize("index_dtype", [torch.int32, torch.int64])
def test_set_bit_positions_equal_nonzero(n, density, index_dtype):
    mask = _mask(n, density, n)
    positions = set_bit_positions(bitmap_of(mask), index_dtype)
    assert positions.dtype == index_dtype
    assert torch.equal(positions.long(), mask.nonzero().squeeze(1))


def test_set_bit_positions_every_byte_value():
    """Each of the 256 byte values, in a row and then with empty bytes between them."""
    dense = torch.arange(256, dtype=torch.uint8)
    sparse_bytes = torch.stack([dense, torch.zeros_like(dense), torch.zeros_like(dense)], 1).reshape(-1)
    for bitmap in (dense, sparse_bytes):
        mask = ((bitmap.unsqueeze(1) >> torch.arange(8, dtype=torch.uint8)) & 1).reshape(-1).bool()
        assert torch.equal(set_bit_positions(bitmap), mask.nonzero().squeeze(1))


def _reference(weights, threshold):
    """What the encoder kept before: ``nonzero`` of the keep-mask, values as bit patterns."""
    flat = weights.reshape(-1)
    bits = flat.view(BIT_VIEW[flat.element_size()]) if flat.is_floating_point() else flat
    keep = bits != 0 if threshold == 0 else flat.abs() > threshold
    return keep, keep.nonzero().squeeze(1), bits


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.int8,
                                   torch.int32])
@pytest.mark.parametrize("n", [1, 9, 65, 4099])
@pytest.mark.parametrize("density", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("fmt", ["coo", "bitmap", "auto"])
def test_torch_sparse_path_bitwise(monkeypatch, dtype, n, density, fmt):
    """Torch fallback: same values, indices and bitmap as ``nonzero``; exact round trip (``-0.0``, NaN kept)."""
    monkeypatch.setattr(sparse, "use_numba", False)
    g = torch.Generator().manual_seed(n)
    w = (torch.randn(n, generator=g) * 50).to(dtype)
    w[~_mask(n, density, n + 1)] = 0
    if dtype.is_floating_point and n > 3:
        w[1], w[2] = -0.0, float("nan")
    shape = (n,) if n % 3 else (3, n // 3)
    w = w.reshape(shape)
    s = C.sparse_encode(w, format=fmt)
    keep, ref, bits = _reference(w, 0)
    assert torch.equal(_bits(s.values), bits[ref])
    if s.meta["format"] == "coo":
        assert s.indices.dtype == torch.int32 and torch.equal(s.indices.long(), ref)
    else:
        assert torch.equal(s.bitmap, bitmap_of(keep))
    out = s.decompress()
    assert out.shape == w.shape and out.dtype == w.dtype
    assert torch.equal(_bits(out.reshape(-1)), torch.where(keep, bits, torch.zeros_like(bits)))


def _bits(t):
    return t.view(BIT_VIEW[t.element_size()]) if t.is_floating_point() else t


@pytest.mark.parametrize("threshold", [0.5, 2.0])
def test_torch_sparse_path_threshold(monkeypatch, threshold):
    monkeypatch.setattr(sparse, "use_numba", False)
    w = torch.randn(3001, generator=torch.Generator().manual_seed(9))
    keep, ref, _ = _reference(w, threshold)
    for fmt in ("coo", "bitmap"):
        s = C.sparse_encode(w, threshold=threshold, format=fmt)
        assert torch.equal(s.values, w[ref])
        assert torch.equal(s.decompress(), torch.where(keep, w, torch.zeros_like(w)))


@pytest.mark.parametrize("fast", [True, False], ids=["numba", "torch"])
def test_bitmap_bits_past_the_end_are_ignored(monkeypatch, fast):
    """A bitmap whose last byte has stray bits beyond ``numel`` decodes as if they were clear."""
    if fast and not sparse.use_numba:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(sparse, "use_numba", fast)
    w = torch.tensor([0.0, 1.5, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0, 3.5, 0.0])  # 11 entries: 5 spare bits
    s = C.sparse_encode(w, format="bitmap")
    dirty = s.bitmap.clone()
    dirty[-1] |= 0xF8
    broken = type(s)({"values": s.values, "bitmap": dirty}, s.meta)
    if fast:  # the numba walk counts whole words: the stray bits are a value-count mismatch
        with pytest.raises(ValueError):
            broken.decompress()
    else:
        assert torch.equal(broken.decompress(), w)


def test_torch_bitmap_value_count_mismatch_is_an_error(monkeypatch):
    monkeypatch.setattr(sparse, "use_numba", False)
    s = C.sparse_encode(torch.tensor([0.0, 1.0, 2.0, 0.0] * 20), format="bitmap")
    for values in (s.values[:-1], torch.cat([s.values, s.values[:1]])):
        with pytest.raises(ValueError, match="bitmap marks"):
            type(s)({"values": values, "bitmap": s.bitmap}, s.meta).decompress()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64])
@pytest.mark.parametrize("axis", [None, 0])
def test_torch_ieee754_planes_match_integer_reference(monkeypatch, dtype, axis):
    """Torch split planes equal the textbook integer formulas (numba not involved), join is exact."""
    from jax2torch_runtime.compression import ieee754

    monkeypatch.setattr(ieee754, "use_numba", False)
    layout = ieee754.LAYOUTS[dtype]
    x = (torch.randn(3, 1001, generator=torch.Generator().manual_seed(2), dtype=torch.float64) * 1e3).to(dtype)
    specials = [-0.0, 0.0, float("inf"), -float("inf"), float("nan"), torch.finfo(dtype).tiny / 4,
                -torch.finfo(dtype).tiny / 2, torch.finfo(dtype).max, -torch.finfo(dtype).min]
    x.view(-1)[: len(specials)] = torch.tensor(specials, dtype=torch.float64).to(dtype)
    x.view(layout.int_dtype).view(-1)[20] = -1  # negative NaN, full payload
    planes = C.ieee754_split(x, axis)
    bits = (x if axis is None else x.movedim(axis, 0)).contiguous().view(layout.int_dtype).to(torch.int64)
    assert torch.equal(planes.data["sign"], bits < 0)
    assert torch.equal(planes.data["exponent"].to(torch.int64), (bits >> layout.man_bits) & ((1 << layout.exp_bits) - 1))
    assert torch.equal(planes.data["mantissa"].to(torch.int64), bits & ((1 << layout.man_bits) - 1))
    assert planes.data["exponent"].dtype == layout.exp_dtype and planes.data["mantissa"].dtype == layout.man_dtype
    assert torch.equal(C.ieee754_join(planes).view(layout.int_dtype), x.view(layout.int_dtype))
