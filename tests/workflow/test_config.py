"""``[tool.jax2torch]`` in the nearest pyproject.toml: applied, overridden by flags, checked."""

from __future__ import annotations

import json

import pytest

from jax2torch.config import ConfigError, load_config
from jax2torch.ruletable import load_rule_table

from workflow_helpers import JAX, cli, write

SUM_CODE = load_rule_table().find("jax.numpy.sum").code


def configure(root, body: str) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n\n[tool.jax2torch]\n" + body)


def test_exclude_and_report_from_config(project):
    configure(project, 'exclude = ["legacy"]\nreport = "out/report.json"\n')
    (project / "out").mkdir()
    write(project, {"a.py": JAX, "legacy/b.py": JAX})
    assert cli("migrate", "--no-backup", ".").exit_code == 0
    assert "torch.sum" in (project / "a.py").read_text()
    assert (project / "legacy/b.py").read_text() == JAX
    data = json.loads((project / "out/report.json").read_text())
    assert data["converted"] == ["a.py"]


def test_select_ignore_from_config_and_flags_override(project):
    configure(project, f'ignore = ["{SUM_CODE}"]\n')
    write(project, {"a.py": JAX})
    assert cli("migrate", "--check", ".").exit_code == 0, "config ignores the only rule that applies"
    assert cli("migrate", "--check", "--ignore", "J2T4", ".").exit_code == 1, "the flag replaces the config value"


def test_backup_dir_from_config(project):
    configure(project, 'backup-dir = "store"\n')
    write(project, {"a.py": JAX})
    assert cli("migrate", ".").exit_code == 0
    assert list((project / "store").iterdir()), "originals went to the configured store"
    assert not (project / ".jax2torch").exists()


def test_jit_mode_from_config_and_flag(project):
    src = "import jax\n\n\n@jax.jit\ndef f(x):\n    return x\n"
    write(project, {"a.py": src})
    configure(project, 'jit = "compile"\n')
    assert "torch.compile" in cli("migrate", "--dry-run", ".").stdout
    assert "torch.compile" not in cli("migrate", "--dry-run", "--jit", "drop", ".").stdout


def test_nearest_pyproject_with_the_table_wins(project):
    configure(project, 'exclude = ["*.py"]\n')
    write(project, {"sub/pyproject.toml": "[project]\nname = 'sub'\n", "sub/a.py": JAX})
    assert load_config([project / "sub"]).path == project / "pyproject.toml"
    assert cli("migrate", "--check", "sub").exit_code == 0, "excluded by the outer table"
    write(project, {"sub/pyproject.toml": "[tool.jax2torch]\nselect = ['J2T1']\n"})
    assert load_config([project / "sub"]).path == project / "sub" / "pyproject.toml"
    assert cli("migrate", "--check", "sub").exit_code == 1


@pytest.mark.parametrize(
    "body, words",
    [
        ("exlude = ['x']\n", ["exlude", "unknown key"]),
        ("jit = 'fast'\n", ["jit", "'fast'"]),
        ("select = 'J2T1'\n", ["select", "list of strings"]),
        ("backup-dir = 3\n", ["backup-dir"]),
        ("extra-rules = ['nope.toml']\n", ["extra-rules", "nope.toml"]),
        ("select = ['J2T77']\n", ["J2T77", "unknown rule code"]),
        ("report = 'out.txt'\n", ["out.txt", ".json or .md"]),
    ],
)
def test_bad_values_exit_2_naming_the_key(project, body, words):
    configure(project, body)
    write(project, {"a.py": JAX})
    for command in ("migrate", "scan"):
        result = cli(command, ".")
        assert result.exit_code == 2, result.output
        for word in words:
            assert word in result.stderr
    assert (project / "a.py").read_text() == JAX


def test_malformed_pyproject_is_a_usage_error(project):
    (project / "pyproject.toml").write_text("[tool.jax2torch\nexclude = [\n")
    write(project, {"a.py": JAX})
    result = cli("migrate", ".")
    assert result.exit_code == 2 and "pyproject.toml" in result.stderr and "not valid TOML" in result.stderr
    with pytest.raises(ConfigError):
        load_config([project])


def test_extra_rule_file_with_a_typo_is_a_usage_error(project):
    write(project, {"rules.toml": '[[rule]]\ncode = "J2T9001"\njax = "jax.numpy.sum"\ntarget = "torch.sum"\ntargte = "x"\n',
                    "a.py": JAX})  # fmt: skip
    configure(project, 'extra-rules = ["rules.toml"]\n')
    result = cli("migrate", ".")
    assert result.exit_code == 2
    assert "rules.toml" in result.stderr and "J2T9001" in result.stderr and "targte" in result.stderr
    assert cli("migrate", "--rules", "rules.toml", "--check", ".").exit_code == 2


def test_without_a_table_nothing_is_configured(project):
    assert load_config([project]).path is None
