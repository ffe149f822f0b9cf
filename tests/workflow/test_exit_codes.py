"""Exit codes and machine-readable output follow ruff; suppressed lines are left alone."""

from __future__ import annotations

import json

from workflow_helpers import JAX, cli, write

UNKNOWN = "import jax.numpy as jnp\n\nx = jnp.not_a_function(1)\n"


def test_exit_zero_and_exit_non_zero_on_fix(project):
    write(project, {"a.py": JAX})
    assert cli("migrate", "--check", ".").exit_code == 1
    assert cli("migrate", "--check", "--exit-zero", ".").exit_code == 0
    assert cli("migrate", "--no-backup", "--exit-non-zero-on-fix", ".").exit_code == 1
    assert cli("migrate", "--no-backup", "--exit-non-zero-on-fix", ".").exit_code == 0, "nothing left to fix"


def test_failed_file_exits_1_unless_exit_zero(project):
    write(project, {"bad.py": "import jax\ndef f(:\n"})
    assert cli("migrate", ".").exit_code == 1
    assert cli("migrate", "--exit-zero", ".").exit_code == 0
    assert cli("migrate", "--exit-zero", "missing.py").exit_code == 2, "usage errors stay 2"


def test_concise_output_is_path_line_col_code_message(project):
    write(project, {"a.py": UNKNOWN})
    result = cli("migrate", "--check", "--output-format", "concise", ".")
    assert result.stdout == "a.py:3:4: J2T0001 no rule for `jax.numpy.not_a_function`\n"
    verbose = cli("migrate", "--check", "--output-format", "concise", "-v", ".").stdout
    assert verbose.count("\n") >= 1


def test_json_output_lists_every_finding(project):
    write(project, {"a.py": JAX + UNKNOWN.split("\n", 1)[1]})
    result = cli("migrate", "--check", "--output-format", "json", ".")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert {(f["code"], f["fixed"]) for f in findings} >= {("J2T1001", True), ("J2T0001", False)}
    assert all(set(f) >= {"path", "line", "col", "severity", "message"} for f in findings)


def test_suppressed_line_is_left_alone_and_reported_as_suppressed(project):
    src = ("import jax.numpy as jnp\n\n\ndef f(a):\n    keep = jnp.sum(a)  # jax2torch: ignore\n"
           "    only = jnp.sum(a, axis=0)  # jax2torch: ignore[J2T1001]\n    return jnp.sum(a) + keep + only\n")  # fmt: skip
    write(project, {"a.py": src})
    result = cli("migrate", "--no-backup", "--output-format", "json", "-v", ".")
    text = (project / "a.py").read_text()
    assert "keep = jnp.sum(a)  # jax2torch: ignore\n" in text
    assert "only = jnp.sum(a, axis=0)  # jax2torch: ignore[J2T1001]\n" in text
    assert "return torch.sum(a) + keep + only" in text
    assert "import jax.numpy as jnp" in text, "the import the suppressed lines need stays"
    findings = json.loads(result.stdout)
    suppressed = [f for f in findings if f["suppressed"]]
    assert [(f["line"], f["fixed"]) for f in suppressed] == [(5, False), (6, False)]
    assert [f["line"] for f in findings if f["fixed"]] == [7]
