"""Helpers shared by the workflow tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from jax2torch.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "workflow"
JAX = "import jax.numpy as jnp\n\n\ndef total(a):\n    return jnp.sum(a, axis=0)\n"


def cli(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
