"""Every rule row's examples, run under JAX and, migrated by the engine, under PyTorch."""

from __future__ import annotations

import pytest

from jax2torch.engine import Migrator
from jax2torch.ruletable import load_rule_table
import numpy as np

from verify import jax_source, make_input, run_example, to_jax

TABLE = load_rule_table()
MIGRATOR = Migrator(TABLE)
CASES = [(rule, i, ex) for rule in TABLE.rules for i, ex in enumerate(rule.examples)]


@pytest.mark.parametrize("rule,index,example", CASES, ids=[f"{r.code}-{r.jax or r.hook}-{i}" for r, i, _ in CASES])
def test_rule_example(rule, index, example):
    migrated = run_example(MIGRATOR, code=example.code, body=example.body, inputs=example.inputs,
                           exact=example.exact, rtol=example.rtol, atol=example.atol,
                           dtype_strict=example.dtype_strict, jit=example.jit)
    if example.migrated:
        assert example.migrated in migrated, f"expected `{example.migrated}` in:\n{migrated}"
    # the migrated example is stable: migrating it again changes nothing
    assert MIGRATOR.migrate_text(migrated).text == migrated


def test_every_rewriting_rule_has_an_executed_example():
    missing = [r.code for r in TABLE.rules if (r.target or r.hook) and not r.examples]
    assert not missing, f"rules without an executed example: {missing}"


def test_error_rows_leave_a_todo():
    for rule in TABLE.rules:
        if rule.target or rule.hook or not rule.jax:
            continue
        name = rule.jax.replace("jax.numpy.", "jnp.", 1)
        result = MIGRATOR.migrate_text(jax_source(f"{name}(x)", names=["x"]))
        assert f"TODO(jax2torch): {rule.code}" in result.text, result.text



LIFTED = [(rule, pos) for rule in TABLE.rules for pos in rule.lift]


def _with_number(rule, pos):
    """The row's first example that JAX still runs with ``0.75`` as positional argument ``pos``."""
    import ast

    import jax

    for example in rule.examples:
        call = ast.parse(example.code, mode="eval").body if example.code else None
        if isinstance(call, ast.Call) and len(call.args) > pos and not isinstance(call.args[pos], ast.Starred):
            call.args[pos] = ast.Constant(0.75)
            code = ast.unparse(call)
            namespace: dict = {}
            exec(compile(jax_source(code, names=list(example.inputs)), "<probe>", "exec"), namespace)
            rng = np.random.default_rng(0)
            try:
                namespace["f"](**{k: to_jax(make_input(v, rng)) for k, v in example.inputs.items()})
            except (TypeError, ValueError, IndexError, jax.errors.JAXTypeError if hasattr(jax.errors, "JAXTypeError") else TypeError):
                continue
            return code, example.inputs
    pytest.fail(f"{rule.code}: no example runs under JAX with a number as argument {pos}; add one")


@pytest.mark.parametrize("rule,pos", LIFTED, ids=[f"{r.code}-{r.jax}-{p}" for r, p in LIFTED])
def test_lifted_number_argument(rule, pos):
    """Each ``lift`` position: a Python number there runs under JAX and, wrapped, under torch."""
    code, inputs = _with_number(rule, pos)
    migrated = run_example(MIGRATOR, code=code, inputs=inputs, dtype_strict=False)
    assert "torch.as_tensor(0.75)" in migrated, migrated
