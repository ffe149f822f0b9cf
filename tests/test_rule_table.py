"""The rule table against the real APIs: JAX names exist, torch/runtime targets resolve, codes are unique."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from jax2torch.ruletable import RuleFileError, load_rule_table

TABLE = load_rule_table()
ROOT = Path(__file__).resolve().parents[1]


def resolve(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


@pytest.mark.parametrize("rule", [r for r in TABLE.rules if r.jax], ids=lambda r: r.code)
def test_jax_name_exists(rule):
    if rule.jax == "jax.__version__":
        return
    resolve(rule.jax)


@pytest.mark.parametrize("rule", [r for r in TABLE.rules if r.target], ids=lambda r: r.code)
def test_target_resolves(rule):
    resolve(rule.target)


def test_codes_are_unique_and_documented_areas():
    codes = [r.code for r in TABLE.rules]
    assert len(codes) == len(set(codes))
    assert all(c[3] in "12345678" for c in codes), "bundled rows use areas 1-8; 9 is for user rules"


def test_bad_rule_files_name_the_file_and_entry(tmp_path):
    cases = {
        "unknown_key.toml": '[[rule]]\ncode = "J2T9001"\njax = "jax.numpy.sum"\ntarget = "torch.sum"\ntypo = 1\n',
        "bad_target.toml": '[[rule]]\ncode = "J2T9002"\njax = "jax.numpy.sum"\ntarget = "numpy.sum"\n',
        "bad_code.toml": '[[rule]]\ncode = "X1"\njax = "jax.numpy.sum"\ntarget = "torch.sum"\n',
        "bad_toml.toml": '[[rule]\n',
        "dup.toml": '[[rule]]\ncode = "J2T9003"\njax = "jax.numpy.foo"\ntarget = "torch.sum"\n'
                    '[[rule]]\ncode = "J2T9004"\njax = "jax.numpy.foo"\ntarget = "torch.sum"\n',
        "no_hook.toml": '[[rule]]\ncode = "J2T9005"\njax = "jax.numpy.foo"\nhook = "nope"\n',
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(RuleFileError) as err:
            load_rule_table([path])
        assert name in str(err.value)


def test_generated_rule_reference_is_current():
    import runpy

    module = runpy.run_path(str(ROOT / "scripts" / "rules_reference.py"))
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == module["render"](), \
        "docs/rules.md is stale: run python scripts/rules_reference.py"
