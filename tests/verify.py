"""The verification runner: run a JAX snippet under JAX and, migrated by the engine, under PyTorch.

Used by the rule-example test (every row's examples) and by the whole-program fixtures. Inputs
are generated once as NumPy arrays from a small spec language and handed to both sides, outputs
are compared leaf by leaf on values, shapes and dtypes.

Input specs: ``"f32[3,4]"`` standard normal; ``"f32+[3]"`` positive (0.1..2); ``"f32u[3]"`` uniform
in (-1, 1); ``"i32[5]"`` integers in [-5, 5); ``"n32[5]"`` integers in [0, 5); ``"bool[4]"``;
``"f16"``/``"bf16"``/``"f64"``/``"i64"``/``"u8"``/``"u32"`` likewise; ``"key:SEED"`` a raw PRNG key
(``jax.random.PRNGKey(SEED)``); a TOML list becomes a float32 (or int32) array; any other TOML
value is passed as a Python constant.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np


def _preamble() -> str:
    """The example aliases (``jnp``, ``lax``, ``jrandom``...) declared by the rule table itself."""
    from jax2torch.ruletable import load_rule_table

    return load_rule_table().preamble


PREAMBLE = _preamble()

SPEC_RE = re.compile(r"^(f16|bf16|f32|f64|i8|i32|i64|u8|u32|n32|bool)([+u]?)\[([0-9, ]*)\]$")
INT_DTYPES = {"i8": np.int8, "i32": np.int32, "i64": np.int64, "u8": np.uint8, "u32": np.uint32, "n32": np.int32}


def make_input(spec, rng: np.random.Generator):
    if isinstance(spec, str) and spec.startswith("key:"):
        return ("key", int(spec[4:]))
    if isinstance(spec, list):  # a literal array: float32 if it holds floats, else int32
        arr = np.asarray(spec)
        return arr.astype(np.float32 if arr.dtype.kind == "f" else np.int32)
    if not isinstance(spec, str):
        return spec
    match = SPEC_RE.match(spec)
    if not match:
        return spec
    kind, mod, dims = match.groups()
    shape = tuple(int(d) for d in dims.replace(" ", "").split(",") if d)
    if kind == "bool":
        return rng.random(shape) < 0.5
    if kind in INT_DTYPES:
        lo, hi = (0, 5) if kind in ("n32", "u8", "u32") else (-5, 5)
        return rng.integers(lo, hi, size=shape).astype(INT_DTYPES[kind])
    if mod == "+":
        values = rng.uniform(0.1, 2.0, size=shape)
    elif mod == "u":
        values = rng.uniform(-0.99, 0.99, size=shape)
    else:
        values = rng.standard_normal(shape)
    if kind == "bf16":
        return ("bf16", values.astype(np.float32))
    return values.astype({"f16": np.float16, "f32": np.float32, "f64": np.float64}[kind])


def jax_source(code: str = "", body: str = "", names=()) -> str:
    if body:
        inner = textwrap.dedent(body).strip("\n")
    else:
        inner = f"return {code}"
    return PREAMBLE + f"\n\ndef f({', '.join(names)}):\n" + textwrap.indent(inner, "    ") + "\n"


def to_jax(value):
    import jax
    import jax.numpy as jnp

    if isinstance(value, tuple) and value and value[0] == "key":
        return jax.random.PRNGKey(value[1])
    if isinstance(value, tuple) and value and value[0] == "bf16":
        return jnp.asarray(value[1], dtype=jnp.bfloat16)
    return jnp.asarray(value) if isinstance(value, np.ndarray) else value


def to_torch(value):
    import jax
    import torch

    if isinstance(value, tuple) and value and value[0] == "key":
        return torch.from_numpy(np.asarray(jax.random.PRNGKey(value[1])).copy())
    if isinstance(value, tuple) and value and value[0] == "bf16":
        return torch.from_numpy(value[1]).to(torch.bfloat16)
    return torch.from_numpy(value.copy()) if isinstance(value, np.ndarray) else value


def leaves(value):
    """Flatten tuples, lists and dicts (sorted keys) into a list of leaves."""
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in leaves(v)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in leaves(value[k])]
    if hasattr(value, "_asdict"):
        return leaves(tuple(value))
    return [value]


def as_numpy(value):
    import torch

    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value.dtype == torch.bfloat16:
            return value.float().numpy(), "bfloat16"
        if value.dtype == torch.uint32:
            return value.numpy(), "uint32"
        return value.numpy(), str(value.numpy().dtype)
    arr = np.asarray(value)
    name = str(arr.dtype)
    if name == "bfloat16":
        return arr.astype(np.float32), "bfloat16"
    return arr, name


# JAX with x64 off gives int32 where torch's default integer is int64: same values, and the
# width only matters past 2**31. Accepted and documented; every other dtype must match.
EQUIVALENT_DTYPES = {("int32", "int64")}


def compare(jax_out, torch_out, *, exact=False, rtol=None, atol=None, dtype_strict=True):
    jl, tl = leaves(jax_out), leaves(torch_out)
    assert len(jl) == len(tl), f"{len(jl)} JAX outputs vs {len(tl)} torch outputs"
    for i, (j, t) in enumerate(zip(jl, tl)):
        if isinstance(j, str):
            assert j == t, f"leaf {i}: {j!r} != {t!r}"
            continue
        if isinstance(j, (bool, int, float)) and not hasattr(j, "shape"):
            t = t.item() if hasattr(t, "item") else t
            assert j == t if exact else np.isclose(j, t, rtol=rtol or 1e-5, atol=atol or 1e-6), f"leaf {i}: {j} != {t}"
            continue
        jn, jd = as_numpy(j)
        tn, td = as_numpy(t)
        assert jn.shape == tn.shape, f"leaf {i}: shape {jn.shape} (JAX) != {tn.shape} (torch)"
        if dtype_strict and jd != td:
            assert (jd, td) in EQUIVALENT_DTYPES, f"leaf {i}: dtype {jd} (JAX) != {td} (torch)"
        if jn.dtype.kind == "c" or tn.dtype.kind == "c":  # complex: real and imaginary parts separately
            compare(jn.real, tn.real, exact=exact, rtol=rtol, atol=atol, dtype_strict=False)
            compare(jn.imag, tn.imag, exact=exact, rtol=rtol, atol=atol, dtype_strict=False)
            continue
        if exact or jn.dtype.kind in "biu":
            assert np.array_equal(jn, tn, equal_nan=True), f"leaf {i}: values differ\nJAX:   {jn}\ntorch: {tn}"
        else:
            default = {"float16": 2e-3, "bfloat16": 2e-2}.get(jd, 1e-5)
            np.testing.assert_allclose(tn.astype(np.float64), jn.astype(np.float64), rtol=rtol or default,
                                       atol=atol if atol is not None else default, equal_nan=True,
                                       err_msg=f"leaf {i}")


IMPORT_JAX_RE = re.compile(r"^\s*(import jax\b|from jax\b)", re.M)


def run_example(migrator, *, code="", body="", inputs=None, exact=False, rtol=None, atol=None,
                dtype_strict=True, seed=0, jit=False):
    """Migrate, run both sides, compare; returns the migrated source for further checks."""
    import jax

    inputs = dict(inputs or {})
    source = jax_source(code, body, list(inputs))
    result = migrator.migrate_text(source, "<example>")
    errors = [f for f in result.findings if f.severity.value == "error"]
    assert not errors, "migration left TODOs:\n" + "\n".join(f"{f.code} {f.message}" for f in errors) + "\n" + result.text
    assert not IMPORT_JAX_RE.search(result.text), "migrated code still imports jax:\n" + result.text
    rng = np.random.default_rng(seed)
    values = {name: make_input(spec, rng) for name, spec in inputs.items()}
    jax_ns: dict = {}
    exec(compile(source, "<jax example>", "exec"), jax_ns)
    jax_fn = jax.jit(jax_ns["f"]) if jit else jax_ns["f"]
    jax_out = jax_fn(**{k: to_jax(v) for k, v in values.items()})
    torch_ns: dict = {}
    exec(compile(result.text, "<torch example>", "exec"), torch_ns)
    torch_out = torch_ns["f"](**{k: to_torch(v) for k, v in values.items()})
    compare(jax_out, torch_out, exact=exact, rtol=rtol, atol=atol, dtype_strict=dtype_strict)
    return result.text
