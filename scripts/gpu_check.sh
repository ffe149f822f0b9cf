#!/bin/bash
# GPU validation of the runtime on a box with torch + jax but no libcst (runtime tests only).
# Run from the repository root on the GPU machine: bash scripts/gpu_check.sh (carry .whl/ with the
# pytest wheels if that box has no pytest).
mkdir -p /tmp/pp && ln -sfn "$PWD/runtime" /tmp/pp/jax2torch_runtime
python -c "import pytest" 2>/dev/null || pip install --no-index -q .whl/*.whl
export PYTHONPATH=/tmp/pp:$PWD/tests JAX_PLATFORMS=cpu
python -c "import torch, jax; print('torch', torch.__version__, 'jax', jax.__version__, torch.cuda.get_device_name())"
python -m pytest -q -p no:cacheprovider --tb=line -rf tests/runtime/test_compression_cuda.py tests/runtime/test_tropical_cuda.py \
  tests/runtime/test_pattern_compile_devices.py 2>&1 | grep -E "^FAILED|^/|Error|passed|failed" | cut -c1-250 | tail -30
python - <<'PY'
import torch
from jax2torch_runtime import nn, ops
q = torch.randn(2, 5, 4, 8, device="cuda"); k = torch.randn(2, 6, 2, 8, device="cuda")
a = nn.dot_product_attention(q, k, k, is_causal=True); b = nn.dot_product_attention(q.cpu(), k.cpu(), k.cpu(), is_causal=True)
print("attention cuda vs cpu", float((a.cpu() - b).abs().max()))
x = torch.randn(6, 3, device="cuda"); ids = torch.tensor([0, 2, 2, -1, 5, 0], device="cuda")
print("segment_max cuda vs cpu", torch.equal(ops.segment_max(x, ids, 4).cpu(), ops.segment_max(x.cpu(), ids.cpu(), 4)))
PY
