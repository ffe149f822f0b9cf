"""Property tests: on arbitrary valid Python with JAX calls spliced in, the engine never crashes,
its output always parses, and a second run changes nothing."""

from __future__ import annotations

import ast

import hypothesmith
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jax2torch.engine import Migrator, SourceError
from jax2torch.ruletable import load_rule_table

MIGRATOR = Migrator(load_rule_table())
SNIPPETS = [
    "import jax.numpy as jnp\n",
    "import jax\n",
    "from jax import numpy as np2, lax\n",
    "y = jnp.sum(x, axis=0)\n",
    "z = jax.vmap(f, in_axes=0)(x)\n",
    "w = x.at[1].set(2)\n",
    "v = jnp.unknown_fn(x)\n",
    "@jax.jit\ndef g(a):\n    return jnp.sum(a)\n",
    "def h(jnp):\n    return jnp.sum(1)\n",
]


def splice(module: str, picks: list[int]) -> str:
    lines = module.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    out = [SNIPPETS[0], SNIPPETS[1]]
    for i, line in enumerate(lines):
        out.append(line)
        if i < len(picks) and not line.startswith((" ", "\t")) and not line.rstrip().endswith(("\\", ":", ",", "(")):
            out.append(SNIPPETS[picks[i] % len(SNIPPETS)])
    return "".join(out)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar(), st.lists(st.integers(0, 100), max_size=8))
def test_engine_never_crashes_and_output_parses(module, picks):
    source = splice(module, picks)
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return
    try:
        result = MIGRATOR.migrate_text(source)
    except SourceError:
        return  # reported as a clean per-file error, not a crash
    ast.parse(result.text)
    assert MIGRATOR.migrate_text(result.text).text == result.text


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=10))
def test_snippet_soups_migrate_cleanly(parts):
    source = "".join(parts)
    result = MIGRATOR.migrate_text(source)
    ast.parse(result.text)
    assert MIGRATOR.migrate_text(result.text).text == result.text
