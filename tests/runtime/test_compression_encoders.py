"""Round trips and NumPy references for every compression encoder."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from jax2torch_runtime import compression as C
from jax2torch_runtime.compression import blockwise
from jax2torch_runtime.compression.bitpack import bitmap_of, pack_bits, unpack_bits

FLOATS = [torch.float32, torch.float16, torch.bfloat16]
INT_VIEW = {torch.float32: torch.int32, torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float64: torch.int64}


def weights(shape=(32, 48), dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g) * torch.linspace(0.1, 2.0, shape[-1])).to(dtype)


def np_quantize(w, bits, symmetric, axis):
    """Naive NumPy reference: per-tensor (axis None) or per-channel scales, round half to even."""
    x = w.astype(np.float32)
    red = None if axis is None else tuple(d for d in range(x.ndim) if d != axis)
    lo, hi = x.min(axis=red, keepdims=True), x.max(axis=red, keepdims=True)
    if symmetric:
        qmax = 2 ** (bits - 1) - 1
        span = np.maximum(-lo, hi)
        scale = np.where(span > 0, span / np.float32(qmax), 1).astype(np.float32)
        return np.round(x / scale), scale, 0
    qmax = 2**bits - 1
    lo, hi = np.minimum(lo, 0), np.maximum(hi, 0)
    scale = np.where(hi - lo > 0, (hi - lo) / np.float32(qmax), 1).astype(np.float32)
    zp = np.clip(np.round(-lo / scale), 0, qmax)
    return np.clip(np.round(x / scale) + zp, 0, qmax), scale, zp


@pytest.mark.parametrize("bits", [2, 3, 4, 5, 8])
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("per_channel,axis", [(False, 0), (True, 0), (True, 1)])
def test_quantize_matches_numpy_and_bound(bits, symmetric, per_channel, axis):
    w = weights()
    q = C.quantize_weights(w, bits, per_channel=per_channel, axis=axis, symmetric=symmetric)
    codes, scale, zp = np_quantize(w.numpy(), bits, symmetric, axis if per_channel else None)
    np.testing.assert_array_equal(q.int_codes().numpy().astype(np.float64), codes)
    restored = q.decompress()
    np.testing.assert_allclose(restored.numpy(), (codes - zp) * scale, rtol=1e-6, atol=1e-7)
    bound = np.broadcast_to(scale / 2, w.shape) * (1 + 1e-5)
    assert (np.abs(w.numpy() - restored.numpy()) <= bound).all()
    expected_code_bytes = (w.numel() * bits + 7) // 8
    assert q.data["codes"].numel() == expected_code_bytes


@pytest.mark.parametrize("dtype", FLOATS + [torch.float64])
def test_quantize_dtypes_keep_dtype_and_bound(dtype):
    w = weights(dtype=dtype)
    q = C.quantize_weights(w, 6, per_channel=True)
    out = q.decompress()
    assert out.dtype == dtype and out.shape == w.shape
    tol = q.max_error_bound * 1.01 + (0.02 * w.abs().max().item() if dtype != torch.float32 else 0)
    assert (w.double() - out.double()).abs().max().item() <= tol


def test_quantize_zero_tensor_and_unpacked():
    z = torch.zeros(10, 4)
    assert torch.equal(C.quantize_weights(z, 4).decompress(), z)
    w = weights()
    assert torch.equal(C.quantize_weights(w, 4, pack=False).decompress(), C.quantize_weights(w, 4).decompress())


@pytest.mark.parametrize("bad,exc", [
    (dict(bits=1), ValueError), (dict(bits=9), ValueError), (dict(bits=4.0), TypeError),
    (dict(per_channel=True, axis=5), ValueError)])
def test_quantize_bad_arguments(bad, exc):
    with pytest.raises(exc):
        C.quantize_weights(weights(), **bad)


def test_errors_for_bad_inputs():
    with pytest.raises(ValueError, match="empty"):
        C.quantize_weights(torch.empty(0))
    with pytest.raises(TypeError, match="float"):
        C.quantize_weights(torch.arange(5))
    with pytest.raises(TypeError):
        C.quantize_weights(np.ones(3))
    with pytest.raises(ValueError, match="inf or nan"):
        C.quantize_weights(torch.tensor([1.0, float("nan")]))
    with pytest.raises(ValueError, match="2-D"):
        C.block_mask(torch.ones(4), 0.5)
    with pytest.raises(ValueError, match="multiple"):
        C.n_m_mask(torch.ones(3, 6), 2, 4)
    with pytest.raises(ValueError, match="prime"):
        C.padic_encode(torch.ones(3), prime=4)
    with pytest.raises(TypeError):
        C.delta_encode(torch.ones(3, dtype=torch.bool))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 300), st.integers(0, 2**31 - 1))
def test_bitpack_round_trip(bits, n, seed):
    g = torch.Generator().manual_seed(seed)
    codes = torch.randint(0, 2**bits, (n,), dtype=torch.uint8, generator=g)
    packed = pack_bits(codes, bits)
    assert packed.numel() == (n * bits + 7) // 8
    assert torch.equal(unpack_bits(packed, bits, n), codes)
    stream = np.unpackbits(packed.numpy(), bitorder="little")[: n * bits].reshape(n, bits)
    assert (stream @ (1 << np.arange(bits)) == codes.numpy()).all()


def test_bitmap_of_matches_numpy_packbits():
    mask = torch.rand(1001) < 0.3
    np.testing.assert_array_equal(bitmap_of(mask).numpy(), np.packbits(mask.numpy(), bitorder="little"))


@pytest.mark.parametrize("fmt", ["coo", "bitmap", "auto"])
@pytest.mark.parametrize("dtype", FLOATS + [torch.float64, torch.int32, torch.int8])
def test_sparse_round_trip_exact(fmt, dtype):
    w = (weights((40, 25)) * 10).to(dtype)
    w[torch.rand(w.shape, generator=torch.Generator().manual_seed(1)) < 0.85] = 0
    if w.is_floating_point():
        w[0, 0] = -0.0
    s = C.sparse_encode(w, format=fmt)
    out = s.decompress()
    view = INT_VIEW.get(dtype)
    assert torch.equal(out.view(view), w.view(view)) if view else torch.equal(out, w)
    flat = w.reshape(-1).numpy() if view is None else w.reshape(-1).view(view).numpy()
    ref = np.flatnonzero(flat)
    assert s.nnz == ref.size
    if s.meta["format"] == "coo":
        np.testing.assert_array_equal(s.indices.numpy(), ref)
    assert torch.equal(s.mask().reshape(-1), torch.from_numpy(flat != 0))


def test_sparse_threshold_and_sizes():
    w = weights()
    s = C.sparse_encode(w, threshold=0.5)
    out = s.decompress()
    assert (w - out).abs().max() <= 0.5
    kept = w.abs() > 0.5
    assert torch.equal(out[kept], w[kept])
    assert s.nbytes == s.nnz * 4 + s.nnz * 4
    b = C.sparse_encode(w, threshold=0.5, format="bitmap")
    assert b.nbytes == b.nnz * 4 + (w.numel() + 7) // 8


@pytest.mark.parametrize("dtype", FLOATS + [torch.float64])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_ieee754_split_join_bitwise(dtype, axis):
    x = (torch.randn(16, 40, dtype=torch.float64) * torch.logspace(-30, 30, 40, dtype=torch.float64)).to(dtype)
    x[0, :5] = torch.tensor([-0.0, float("inf"), -float("inf"), float("nan"), 1e-40], dtype=torch.float64).to(dtype)
    planes = C.ieee754_split(x, axis)
    assert torch.equal(C.ieee754_join(planes).view(INT_VIEW[dtype]), x.view(INT_VIEW[dtype]))
    if dtype in (torch.float32, torch.float64):
        np_dtype = np.uint32 if dtype == torch.float32 else np.uint64
        bits = x.numpy().view(np_dtype)
        man = 23 if dtype == torch.float32 else 52
        moved = (lambda a: a) if axis is None else (lambda a: np.moveaxis(a, axis, 0))
        np.testing.assert_array_equal(planes.sign.numpy(), moved(bits >> (8 * bits.itemsize - 1)).astype(bool))
        np.testing.assert_array_equal(planes.exponent.numpy(), moved((bits >> man) & ((1 << (8 * bits.itemsize - 1 - man)) - 1)))
        np.testing.assert_array_equal(planes.mantissa.numpy().astype(np_dtype), moved(bits & ((1 << man) - 1)))


def test_exponent_bits_per_channel():
    x = torch.stack([torch.full((8,), 1.0), torch.tensor([1.0, 2, 4, 8, 16, 32, 64, 128])])
    assert C.exponent_bits_per_channel(C.ieee754_split(x, 0)).tolist() == [0, 3]
    with pytest.raises(ValueError):
        C.exponent_bits_per_channel(C.ieee754_split(x))


@pytest.mark.parametrize("x", [
    torch.randn(300), torch.randn(20, 7).half(), torch.randn(50).bfloat16(), torch.randn(9, dtype=torch.float64),
    torch.randint(-2**31, 2**31 - 1, (500,), dtype=torch.int32), torch.randint(0, 256, (100,), dtype=torch.uint8),
    torch.arange(1000, dtype=torch.int64) * 3, torch.tensor([2**63 - 1, -2**63, 0, 5])],
    ids=lambda x: f"{str(x.dtype).removeprefix('torch.')}{list(x.shape)}")
@pytest.mark.parametrize("narrow", [False, True])
def test_delta_lossless(x, narrow):
    enc = C.delta_encode(x, narrow=narrow)
    view = INT_VIEW.get(x.dtype)
    out = enc.decompress()
    assert torch.equal(out.view(view), x.view(view)) if view else torch.equal(out, x)
    bits = (x.view(view) if view else x).reshape(-1).numpy()
    ref = np.concatenate([bits[:1], np.diff(bits)]).astype(bits.dtype)
    np.testing.assert_array_equal(enc.deltas.numpy().astype(bits.dtype), ref)


def test_delta_narrows_smooth_integers():
    enc = C.delta_encode(torch.arange(0, 3000, 3, dtype=torch.int64), narrow=True)
    assert enc.deltas.dtype == torch.int8 and enc.ratio == 8


@pytest.mark.parametrize("bits,block", [(8, 64), (4, 32), (3, 7)])
def test_blockwise_matches_reference(bits, block):
    w = weights((10, 33))
    enc = C.blockwise_compress(w, block, bits)
    flat = np.concatenate([w.numpy().reshape(-1), np.zeros((-w.numel()) % block, np.float32)]).reshape(-1, block)
    scale = np.maximum(np.abs(flat).max(1), 1e-30) / np.float32(2 ** (bits - 1) - 1)
    ref = (np.round(flat / scale[:, None]) * scale[:, None]).reshape(-1)[: w.numel()].reshape(w.shape)
    np.testing.assert_allclose(enc.decompress().numpy(), ref, rtol=1e-6, atol=1e-7)
    per_elem = np.repeat(scale, block)[: w.numel()].reshape(w.shape) / 2 * (1 + 1e-5)
    assert (np.abs(enc.decompress().numpy() - w.numpy()) <= per_elem).all()
    assert enc.nbytes == (flat.size * bits + 7) // 8 + 4 * flat.shape[0]


def test_pruning_masks_against_reference():
    w = weights((16, 32))
    m = C.magnitude_mask(w, 0.75)
    assert int(m.sum()) == 128
    assert w.abs()[m].min() >= w.abs()[~m].max()
    c = C.channel_mask(w, 0.5, axis=0)
    norms = np.linalg.norm(w.numpy(), axis=1)
    assert set(np.flatnonzero(c[:, 0].numpy())) == set(np.argsort(norms)[8:])
    assert (c == c[:, :1]).all()
    b = C.block_mask(w, 0.5, (4, 8))
    tiles = b.reshape(4, 4, 4, 8)
    assert (tiles == tiles[:, :1, :, :1]).all() and int(b.sum()) == 256
    nm = C.n_m_mask(w, 2, 4)
    groups = nm.reshape(-1, 4)
    assert (groups.sum(1) == 2).all()
    absg = w.abs().reshape(-1, 4)
    for row, keep in zip(absg.numpy(), groups.numpy()):
        assert row[keep].min() >= row[~keep].max()
    nm0 = C.n_m_mask(w, 1, 4, axis=0)
    assert (nm0.reshape(4, 4, 32).sum(1) == 1).all()
    pruned = C.apply_mask(w, nm)
    assert torch.equal(pruned[nm], w[nm]) and (pruned[~nm] == 0).all()


@pytest.mark.parametrize("prime,precision", [(2, 16), (2, 8), (3, 10), (5, 6), (7, 4)])
def test_padic_exact_on_grid(prime, precision):
    x = weights((8, 20)).double()
    enc = C.padic_encode(x, prime, precision)
    f = enc.frac_digits
    grid = torch.round(x * float(prime) ** f)
    assert torch.equal(enc.integers().double(), grid)
    assert torch.equal(enc.decompress(), grid * float(prime) ** -f)
    assert (x - enc.decompress()).abs().max() <= prime**-f / 2
    digits = enc.digits().to(torch.int64)
    residue = (digits * torch.tensor([prime**i for i in range(precision)])).sum(-1)
    assert torch.equal(residue.reshape(-1), enc.code.to(torch.int64))


def test_padic_truncation_is_congruent():
    """Beyond the precision the decoded integer agrees mod p**(v + precision), the p-adic truncation."""
    prime, precision = 3, 4
    x = torch.tensor([0.0, 1.0, -2.0, 9.0 * 1000, -81.0 * 77, 12345.0, 2.0 / 3])
    enc = C.padic_encode(x, prime, precision, frac_digits=1)
    m = [round(v * 3) for v in x.tolist()]
    for mi, out, v in zip(m, enc.integers().tolist(), enc.valuation.tolist()):
        if mi == 0:
            assert out == 0 and v == C.padic.ZERO_VALUATION
            continue
        val = 0
        while mi % 3**(val + 1) == 0:
            val += 1
        assert v == val and (mi - out) % prime ** (val + precision) == 0


def test_tropical_low_rank_bound_and_exact_columns():
    w = weights((24, 16))
    enc = C.tropical_compress(w, rank=16)
    assert torch.allclose(enc.decompress(), w, atol=1e-5)
    enc4 = C.tropical_compress(w, rank=4)
    a, b = enc4.a.numpy(), enc4.b.numpy()
    ref = np.max(a[:, :, None] + b[None, :, :], axis=1)
    np.testing.assert_allclose(enc4.decompress().numpy(), ref, rtol=1e-6)
    assert enc4.nbytes == 4 * 4 * (24 + 16)
    assert (enc4.decompress() - w).abs().max() <= (w.max() - w.min())


def test_adaptive_quantize_meets_budget_with_fewest_bits():
    w = weights((12, 64)) * torch.logspace(-3, 0, 12).unsqueeze(1)
    w[3] = torch.linspace(-1, 1, 64)
    budget = 0.02
    enc = C.adaptive_quantize(w, budget)
    assert enc.met
    rows = enc.channel_bits().tolist()
    out = enc.decompress()
    for i, bits in enumerate(rows):
        err = C.measure_error(w[i], out[i])
        assert err <= budget
        if bits > 2:
            narrower = C.quantize_weights(w[i : i + 1], bits - 1, per_channel=True).decompress()
            assert C.measure_error(w[i], narrower[0]) > budget
    whole = C.adaptive_quantize(w, budget, per_channel=False)
    assert len(whole.widths) == 1


@pytest.mark.parametrize("make", [
    lambda w: C.quantize_weights(w, 4, per_channel=True, symmetric=False),
    lambda w: C.sparse_encode(w, format="bitmap"),
    lambda w: C.ieee754_split(w, 1),
    lambda w: C.delta_encode(w, narrow=True),
    lambda w: C.blockwise_compress(w, 16, 4),
    lambda w: C.padic_encode(w, 3, 8),
    lambda w: C.tropical_compress(w, 3),
    lambda w: C.adaptive_quantize(w, 0.05),
    lambda w: C.raw_encode(w),
])
def test_save_load_round_trip(tmp_path, make):
    w = weights((6, 32))
    enc = make(w)
    path = tmp_path / "c.pt"
    enc.save(path)
    loaded = C.Compressed.load(path)
    assert type(loaded) is type(enc) and loaded.nbytes == enc.nbytes
    assert torch.equal(loaded.decompress(), enc.decompress())
    raw = torch.load(path, weights_only=True)
    assert set(raw) == {"format", "version", "kind", "data", "meta"}


def test_load_rejects_foreign_files(tmp_path):
    torch.save({"hello": torch.ones(2)}, tmp_path / "x.pt")
    with pytest.raises(ValueError, match="format tag"):
        C.Compressed.load(tmp_path / "x.pt")


@pytest.mark.parametrize("fast", [True, False], ids=["numba", "torch"])
@pytest.mark.parametrize("fmt", ["coo", "bitmap", "auto"])
@pytest.mark.parametrize("threshold", [0.0, 0.7])
def test_sparse_paths_agree_bitwise_across_chunks(monkeypatch, fast, fmt, threshold):
    """Both compaction paths, over several kernel chunks with zero runs at chunk edges, NaN payloads kept."""
    from jax2torch_runtime.compression import sparse

    if fast and not sparse.use_numba:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(sparse, "use_numba", fast)
    n = 3 * sparse.CHUNK + 5
    w = torch.randn(n, generator=torch.Generator().manual_seed(3))
    w[torch.rand(n, generator=torch.Generator().manual_seed(4)) < 0.9] = 0
    w[sparse.CHUNK - 40: sparse.CHUNK + 40] = 0
    w[2 * sparse.CHUNK - 1] = -0.0
    w[7] = 5.0
    w.view(torch.int32)[7] = 0x7FC00123  # a NaN with a payload
    s = C.sparse_encode(w, threshold=threshold, format=fmt)
    bits = w.view(torch.int32)
    keep = bits != 0 if threshold == 0 else w.abs() > threshold
    ref = keep.nonzero().squeeze(1)
    assert torch.equal(s.values.view(torch.int32), bits[ref])
    if s.meta["format"] == "coo":
        assert s.indices.dtype == torch.int32 and torch.equal(s.indices.long(), ref)
    else:
        assert torch.equal(s.bitmap, bitmap_of(keep))
    expected = torch.where(keep, bits, torch.zeros_like(bits))
    assert torch.equal(s.decompress().view(torch.int32), expected)


def test_sparse_bitmap_value_count_mismatch_is_an_error():
    s = C.sparse_encode(torch.tensor([0.0, 1.0, 2.0, 0.0] * 20), format="bitmap")
    broken = type(s)({"values": s.values[:-1], "bitmap": s.bitmap}, s.meta)
    with pytest.raises((ValueError, RuntimeError, IndexError)):
        broken.decompress()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_blockwise_codes_equal_div_round_cast(dtype):
    """Codes exactly ``round(x / scale)`` (ties to even), zero blocks scale 1, non-finite input fails."""
    w = torch.randn(64 * 50, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    w[:63] = torch.arange(-31, 32, dtype=torch.float64) + 0.5  # with 127 below, scale 1: every quotient a tie
    w[63] = 127.0
    w[64:128] = 0.0
    w[130] = -0.0
    w = w.to(dtype)
    enc = C.blockwise_compress(w, 64, 8)
    work = w.to(torch.float64 if dtype == torch.float64 else torch.float32).view(-1, 64)
    ref = torch.div(work, enc.scales.unsqueeze(1)).round().to(torch.int8).view(-1)
    assert torch.equal(enc.codes, ref)
    assert enc.scales[0] == 1 and enc.scales[1] == 1
    assert enc.codes[:4].tolist() == [-30, -30, -28, -28]  # -30.5, -29.5, -28.5, -27.5 to even
    for bad in (float("nan"), float("inf"), -float("inf")):
        w[77] = bad
        with pytest.raises(ValueError):
            C.blockwise_compress(w, 64, 8)


@pytest.mark.parametrize("fast", [True, False], ids=["numba", "torch"])
@pytest.mark.parametrize("dtype", FLOATS + [torch.float64])
@pytest.mark.parametrize("axis", [None, 1])
def test_ieee754_paths_agree_bitwise(monkeypatch, fast, dtype, axis):
    """The numba kernels and the torch passes give the same planes and the same exact join."""
    from jax2torch_runtime.compression import ieee754

    if fast and not ieee754.use_numba:
        pytest.skip("numba is not installed")
    x = (torch.randn(7, 5000, dtype=torch.float64) * 1e3).to(dtype)
    x.view(-1)[:6] = torch.tensor([-0.0, float("inf"), -float("inf"), float("nan"), 1e-40, -1e-40]).to(dtype)
    x.view(INT_VIEW[dtype]).view(-1)[7] = -1  # all bits set: a negative NaN with a full payload
    monkeypatch.setattr(ieee754, "use_numba", False)
    ref = C.ieee754_split(x, axis)
    monkeypatch.setattr(ieee754, "use_numba", fast)
    planes = C.ieee754_split(x, axis)
    for name, plane in ref.data.items():
        assert planes.data[name].dtype == plane.dtype and torch.equal(planes.data[name], plane), name
    assert torch.equal(C.ieee754_join(planes).view(INT_VIEW[dtype]), x.view(INT_VIEW[dtype]))


@pytest.mark.parametrize("fast", [True, False], ids=["numba", "torch"])
def test_sparse_coo_indices_out_of_range_is_an_error(monkeypatch, fast):
    from jax2torch_runtime.compression import sparse

    if fast and not sparse.use_numba:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(sparse, "use_numba", fast)
    s = C.sparse_encode(torch.tensor([0.0, 1.0, 2.0, 0.0]))
    for bad in (4, -9):
        broken = type(s)({"values": s.values, "indices": torch.tensor([1, bad], dtype=torch.int32)}, s.meta)
        with pytest.raises(IndexError):
            broken.decompress()


def _blockwise_reference(w, block, bits):
    """The original block-wise algorithm, op by op: the faster implementation must give the same bits."""
    flat = w.reshape(-1).to(torch.float64 if w.dtype == torch.float64 else torch.float32)
    flat = torch.cat([flat, flat.new_zeros((-flat.numel()) % block)]).view(-1, block)
    span = torch.maximum(flat.amax(dim=1), flat.amin(dim=1).neg())
    scales = torch.where(span > 0, span / (2 ** (bits - 1) - 1), torch.ones_like(span))
    return torch.div(flat, scales.unsqueeze(1)).round().to(torch.int8).view(-1), scales


def _awkward_weights(dtype, seed, subnormal):
    """Random blocks plus ties, zero and all-negative blocks, huge values, and optionally subnormal block
    ranges (scales of zero or a few ulps, where the int8 cast wraps)."""
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(64 * 40 + 5, generator=g, dtype=torch.float64) * torch.rand(64 * 40 + 5, generator=g, dtype=torch.float64) * 3
    w[:63] = torch.arange(-31, 32, dtype=torch.float64) + 0.5
    w[63] = 127.0
    w[64:128] = 0.0
    w[129] = -0.0
    w[128 + 64 : 256 + 64] = -w[128 + 64 : 256 + 64].abs()
    w[320:384] = torch.linspace(-1, 0.9, 64, dtype=torch.float64) * torch.finfo(dtype).max
    tiny = torch.finfo(torch.float32).tiny
    for i, units in enumerate([1, 2, 60, 63, 64, 100, 190, 200, 254, 1000, 2**20] if subnormal else []):
        start = 384 + 64 * i
        w[start : start + 64] = torch.linspace(-units, units, 64, dtype=torch.float64) * tiny * 2**-23
    return w.to(dtype)


@pytest.mark.parametrize("fast", [True, False], ids=["numba", "torch"])
@pytest.mark.parametrize("subnormal", [False, True], ids=["normal", "subnormal"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("bits,block", [(8, 64), (8, 7), (4, 64), (2, 16), (5, 33)])
def test_blockwise_bitwise_equal_to_reference(monkeypatch, fast, subnormal, dtype, bits, block):
    if fast and not blockwise.use_numba:
        pytest.skip("numba not installed")
    monkeypatch.setattr(blockwise, "use_numba", fast)
    kernel_calls = []
    if fast:
        kernel = blockwise._codes_kernel
        monkeypatch.setattr(blockwise, "_codes_kernel", lambda *a: kernel_calls.append(1) or kernel(*a))
    for seed in range(3):
        w = _awkward_weights(dtype, seed, subnormal)
        enc = C.blockwise_compress(w, block, bits, pack=False)
        codes, scales = _blockwise_reference(w, block, bits)
        assert enc.scales.dtype == scales.dtype
        assert torch.equal(enc.scales.view(INT_VIEW[scales.dtype]), scales.view(INT_VIEW[scales.dtype]))
        assert torch.equal(enc.codes, codes)
        if bits < 8:
            packed = C.blockwise_compress(w, block, bits)
            assert torch.equal(packed.codes, pack_bits((codes.to(torch.int16) + 2 ** (bits - 1)).to(torch.uint8), bits))
    # the codes kernel runs for float32 work tensors whose scales are all normal floats, else torch does
    # (float16 flushes these tiny ranges to zero blocks, whose scale is 1)
    subnormal_scales = subnormal and dtype != torch.float16
    assert bool(kernel_calls) == (fast and not subnormal_scales and dtype != torch.float64)


@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("shape", [(1000,), (3 * 16384 + 7,), (64, 256), (7, 33, 5)])
@pytest.mark.parametrize("magnitude", [1.0, 1e-40, 0.0])
def test_quantize_numba_codes_equal_torch_passes(monkeypatch, per_channel, shape, magnitude):
    """The fused numba codes (symmetric, float32, CPU) give the same bits as div + round + cast,
    exact .5 ties included (round half to even); subnormal and zero ranges fall back to torch."""
    from jax2torch_runtime.compression import quantize as Q

    if per_channel and len(shape) < 2:
        pytest.skip("per-channel needs two axes")
    w = torch.rand(*shape) * 2 - 1
    if magnitude == 1.0:  # every row peaks at 1.0, so every scale is float32(1/127); plant exact ties
        rows = w.view(shape[0], -1) if len(shape) > 1 else w.view(1, -1)
        rows[:, 0] = 1.0
        step = torch.tensor(1.0) / 127
        ties = (torch.arange(rows[:, 1::3].numel()) % 200 - 100 + 0.5).to(torch.float32) * step
        rows[:, 1::3] = ties.view(rows[:, 1::3].shape)
        assert bool(((rows[:, 1::3] / step) % 1 == 0.5).all())
    else:
        w = w * magnitude
    results = []
    for fast in (True, False):
        monkeypatch.setattr(Q, "use_numba", fast)
        results.append(C.quantize_weights(w, 8, per_channel=per_channel))
    fast, slow = results
    assert fast.data.keys() == slow.data.keys()
    assert all(torch.equal(fast.data[k], slow.data[k]) for k in fast.data)
