"""Terminal plumbing for the CLI: where each kind of output goes, and the progress bar.

Diffs go to stdout so ``jax2torch migrate --diff src > change.patch`` yields a clean patch;
everything meant for a person (summary, findings, errors, progress) goes to stderr.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import click

#: Runs shorter than this finish before a progress bar would tell anyone anything.
PROGRESS_MIN_FILES = 50


class Output:
    """Echo helpers bound to the user's colour choice (None: colour only on a terminal)."""

    def __init__(self, color: bool | None, quiet: bool = False) -> None:
        self.color = color
        self.quiet = quiet

    def diff(self, text: str) -> None:
        click.echo(text, nl=False, color=self.color)

    def info(self, line: str) -> None:
        if not self.quiet:
            click.echo(line, err=True, color=self.color)

    def error(self, line: str) -> None:
        click.echo(line, err=True, color=self.color)


@contextlib.contextmanager
def progress(total: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    """Yield an ``advance(label)`` callback; a rich bar on stderr for long runs on a terminal.

    While the bar is live, rich routes stdout and stderr writes above it, so diffs and messages
    printed meanwhile do not tear the bar.
    """
    if not (enabled and total >= PROGRESS_MIN_FILES and sys.stderr.isatty()):
        yield lambda label: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("migrating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
               TextColumn("{task.description}"))  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=total)
        yield lambda label: bar.update(task, advance=1, description=label)
