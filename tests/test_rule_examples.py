"""Every rule row's examples, run under JAX and, migrated by the engine, under PyTorch."""

from __future__ import annotations

import pytest

from jax2torch.engine import Migrator
from jax2torch.ruletable import load_rule_table
from verify import jax_source, run_example

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
