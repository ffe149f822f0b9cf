"""``jax2torch scan``: the inventory, its formats, ``--check``, and that it writes nothing."""

from __future__ import annotations

import json

from workflow_helpers import JAX, cli, write

from jax2torch.runner import POOL_MIN_FILES

MIXED = """import jax
import jax.numpy as jnp
from jax import random


def f(x, key):
    y = jnp.sum(x, axis=0)  # jax2torch: ignore
    z = jnp.not_a_function(x)
    k = random.normal(key, (3,))
    return jax.jit(g)(x) + jnp.sum(x)
"""


def snapshot(root):
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def scan_json(*args):
    result = cli("scan", "--format", "json", *args)
    return result, json.loads(result.stdout)


def test_inventory_splits_uses_by_what_rewrites_them(project):
    write(project, {"a.py": MIXED, "plain.py": "x = 1\n"})
    before = snapshot(project)
    result, data = scan_json(".")
    assert result.exit_code == 0
    assert snapshot(project) == before, "scan writes nothing"
    totals = data["totals"]
    assert totals["scanned"] == 2 and totals["with_jax"] == 1 and totals["imports"] == 3
    assert (totals["automatic"], totals["runtime"], totals["manual"], totals["suppressed"]) == (2, 1, 1, 1)
    assert data["readiness"] == 75.0
    apis = {row["api"]: row for row in data["apis"]}
    assert apis["jax.random.normal"]["runtime"] == 1 and apis["jax.numpy.sum"]["automatic"] == 1
    assert apis["jax.numpy.not_a_function"]["manual"] == 1
    uses = data["files"][0]["uses"]
    manual = [u for u in uses if u["category"] == "manual"]
    assert [(u["path"], u["line"], u["code"]) for u in manual] == [("a.py", 8, "J2T0001")]
    suppressed = [u for u in uses if u["category"] == "suppressed"]
    assert [u["line"] for u in suppressed] == [7], "the ignored line is suppressed, not done"


def test_text_and_markdown_formats(project):
    write(project, {"a.py": MIXED})
    text = cli("scan", ".").stdout
    assert "Readiness: 75.0%" in text and "needs a person:" in text and "a.py:8:8: J2T0001" in text
    (project / "out").mkdir()
    assert cli("scan", "--format", "md", "-o", "out/inv.md", ".").exit_code == 0
    md = (project / "out/inv.md").read_text()
    assert md.startswith("# JAX inventory") and "| `jax.random.normal` | 0 | 1 | 0 | 0 |" in md


def test_check_fails_while_jax_remains(project):
    write(project, {"a.py": JAX})
    result = cli("scan", "--check", "--format", "concise", ".")
    assert result.exit_code == 1
    assert "a.py:1:0: IMPORT `jax.numpy` imported" in result.stdout and "a.py:5:11: J2T1001" in result.stdout
    assert cli("scan", "--check", "--exit-zero", ".").exit_code == 0
    assert cli("migrate", "--no-backup", ".").exit_code == 0
    done = cli("scan", "--check", "--format", "concise", ".")
    assert done.exit_code == 0 and done.stdout == ""


def test_suppressed_lines_do_not_fail_the_check(project):
    write(project, {"a.py": "import jax.numpy as jnp  # jax2torch: ignore\n\nx = jnp.sum(y)  # jax2torch: ignore\n"})
    result, data = scan_json("--check", ".")
    assert result.exit_code == 0
    assert data["totals"]["suppressed"] == 1 and data["readiness"] == 100.0


def test_failed_file_is_listed_and_exits_1(project):
    write(project, {"bad.py": "import jax\ndef f(:\n", "a.py": JAX})
    result, data = scan_json(".")
    assert result.exit_code == 1
    assert data["failed"][0]["path"] == "bad.py" and "syntax error" in data["failed"][0]["reason"]


def test_parallel_scan_gives_the_same_inventory(project):
    write(project, {f"m{i}.py": MIXED for i in range(POOL_MIN_FILES + 2)})
    _, serial = scan_json("--jobs", "1", ".")
    _, parallel = scan_json("--jobs", "2", ".")
    assert serial == parallel and serial["totals"]["uses"] == 4 * (POOL_MIN_FILES + 2)


def test_usage_errors(project):
    assert cli("scan", "missing/").exit_code == 2
    assert cli("scan", "--select", "NOPE", ".").exit_code == 2
    assert cli("scan", "--format", "xml", ".").exit_code == 2
