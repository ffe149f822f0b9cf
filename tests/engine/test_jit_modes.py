"""`jit = "compile"` renders jax.jit as torch.compile in every position; the default drops it."""

from __future__ import annotations

import textwrap

from jax2torch.engine import Migrator, Options
from jax2torch.ruletable import load_rule_table

TABLE = load_rule_table()
SOURCE = textwrap.dedent("""\
    from functools import partial

    import jax


    @jax.jit
    def f(x):
        return x * 2


    @partial(jax.jit, static_argnums=(1,))
    def g(x, n):
        return x * n


    h = jax.jit(f, donate_argnums=0)
    compiler = jax.jit
""")


def test_compile_mode():
    out = Migrator(TABLE, Options(jit="compile")).migrate_text(SOURCE).text
    assert out.count("@torch.compile") == 2
    assert "h = torch.compile(f)" in out
    assert "compiler = torch.compile" in out
    assert "import jax\n" not in out


def test_drop_mode_is_default():
    out = Migrator(TABLE).migrate_text(SOURCE).text
    assert "@" not in out.replace("@jax", "")
    assert "h = f\n" in out
    assert "compiler = j2t.transforms.jit" in out
    assert "import jax\n" not in out
