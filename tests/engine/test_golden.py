"""Golden pairs: fixtures/engine/<case>.py -> <case>.expected.py; a case without one must not change.

Every expected file migrated again must come out unchanged (idempotency).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jax2torch.engine import Migrator
from jax2torch.ruletable import load_rule_table

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "engine"
CASES = sorted(p for p in FIXTURES.glob("*.py") if not p.name.endswith(".expected.py"))
MIGRATOR = Migrator(load_rule_table())


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden(case):
    expected_path = case.with_name(case.stem + ".expected.py")
    source = read(case)
    result = MIGRATOR.migrate_text(source, str(case))
    expected = read(expected_path) if expected_path.exists() else source
    assert result.text == expected


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_idempotent(case):
    expected_path = case.with_name(case.stem + ".expected.py")
    target = read(expected_path) if expected_path.exists() else read(case)
    assert MIGRATOR.migrate_text(target, str(case)).text == target
