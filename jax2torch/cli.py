"""The ``jax2torch`` command: ``migrate``, ``undo`` and ``rules``.

Exit codes follow ruff: 0 nothing to do or all done; 1 work remains (``--check``) or a file
failed; 2 usage errors (missing path, bad flag, bad rule file, unknown selector); 130 when
interrupted. The engine and rule table are imported inside the commands that need them, so
``--version`` and ``undo`` start without loading LibCST.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from jax2torch import __version__
from jax2torch.backups import DEFAULT_STORE, BackupError, RunWriter, UndoConflict, find_run, list_runs, undo_run
from jax2torch.console import Output, progress
from jax2torch.discovery import discover, display_path, find_project_root
from jax2torch.reports import REPORT_SUFFIXES, Summary, colour_diff, console_lines, unified_diff, write_report
from jax2torch.runner import CHANGED, FAILED, EngineFactory, FileResult, run

EXIT_OK, EXIT_WORK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageProblem(click.ClickException):
    """A usage error found after click parsed the flags (bad rule file, unknown selector)."""

    exit_code = EXIT_USAGE


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _load_table(rule_files: tuple[Path, ...], prefixes: tuple[str, ...] = ()):
    from jax2torch.ruletable import RuleFileError, load_rule_table

    try:
        table = load_rule_table(extra_files=rule_files)
        table.check_selectors(prefixes)
    except (RuleFileError, ValueError) as exc:
        raise UsageProblem(str(exc)) from None
    return table


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="jax2torch", message="%(prog)s %(version)s")
def main() -> None:
    """Migrate JAX code to idiomatic PyTorch."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files/folders (repeatable).")
@click.option("--dry-run", "--diff", "dry_run", is_flag=True, help="Write nothing; print a diff per file.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option("--no-backup", is_flag=True, help="Do not keep originals (e.g. under version control).")
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Backup store (default: <project root>/.jax2torch/backups).")  # fmt: skip
@click.option("--report", "reports", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write a report; format from the suffix: .json or .md (repeatable).")  # fmt: skip
@click.option("--select", multiple=True, metavar="PREFIX,...", help="Only rules whose code starts so.")
@click.option("--ignore", multiple=True, metavar="PREFIX,...", help="Skip rules whose code starts so.")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Extra rule file (TOML, same format as the bundled table; repeatable).")  # fmt: skip
@click.option("--jit", type=click.Choice(["drop", "compile"]), default=None,
              help="What jax.jit becomes: dropped, or torch.compile [engine default].")  # fmt: skip
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [all cores].")
@click.option("--color/--no-color", default=None, help="Colour diffs and messages [auto: on a terminal].")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print every finding and skipped file.")
def migrate(paths, exclude, dry_run, check, no_backup, backup_dir, reports, select, ignore, rule_files,
            jit, jobs, color, quiet, verbose) -> None:  # fmt: skip
    """Rewrite the JAX code in every .py file under PATHS in place (diffs: stdout; the rest: stderr)."""
    from jax2torch.engine import Options

    for report in reports:
        if report.suffix.lower() not in REPORT_SUFFIXES:
            raise click.BadParameter(f"{report}: use a .json or .md suffix", param_hint="--report")
        if not report.absolute().parent.is_dir():
            raise click.BadParameter(f"{report}: its folder does not exist", param_hint="--report")
    select, ignore = _selectors(select), _selectors(ignore)
    _load_table(rule_files, select + ignore)
    options = Options(select=select, ignore=ignore, **({"jit": jit} if jit else {}))
    factory = EngineFactory(tuple(str(f) for f in rule_files), options)

    root = find_project_root(paths)
    store = (backup_dir or root / DEFAULT_STORE).resolve()
    files = discover(paths, root, exclude, never=[store])
    write = not (dry_run or check)
    backup = RunWriter(store, root) if write and not no_backup else None
    out = Output(color, quiet)

    with progress(len(files), enabled=not quiet) as advance:

        def on_result(result: FileResult) -> None:
            advance(result.display)
            if dry_run and result.status == CHANGED:
                diff = unified_diff(result.old_text, result.new_text, result.display)
                out.diff(colour_diff(diff))
            elif verbose and result.status == CHANGED:
                out.info(f"{'migrated' if write else 'would migrate'} {result.display}")

        try:
            outcome = run(files, factory, jobs=jobs or _cores(), root=root, write=write,
                          backup=backup, on_result=on_result)  # fmt: skip
        finally:
            if backup is not None:
                backup.close()

    mode = "dry-run" if dry_run else "check" if check else "write"
    summary = Summary(outcome.results, mode, backup.run_id if backup else None, outcome.interrupted)
    for is_error, line in console_lines(summary, verbose):
        (out.error if is_error else out.info)(line)
    for report in reports:
        write_report(report, summary)
    if outcome.interrupted:
        raise SystemExit(EXIT_INTERRUPTED)
    if summary.with_status(FAILED) or (check and summary.with_status(CHANGED)):
        raise SystemExit(EXIT_WORK)


def _cores() -> int:
    """Cores this process may use (a container or ``taskset`` can allow fewer than exist)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _store(backup_dir: Path | None) -> Path:
    return (backup_dir or find_project_root([Path.cwd()]) / DEFAULT_STORE).resolve()


@main.command()
@click.argument("run_id", required=False)
@click.option("--force", is_flag=True, help="Also restore files changed since the run.")
@click.option("--list", "list_runs_", is_flag=True, help="List the runs in the backup store.")
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path), help="Backup store to use.")
def undo(run_id, force, list_runs_, backup_dir) -> None:
    """Restore the files of the last run (or RUN_ID) from the backup store."""
    store = _store(backup_dir)
    if list_runs_:
        for info in list_runs(store):
            state = "undone" if info.undone else "complete" if info.complete else "interrupted"
            click.echo(f"{info.run_id}  {info.time}  {len(info.entries):5d} file(s)  {state}  {info.root}")
        return
    try:
        info = find_run(store, run_id)
    except BackupError as exc:
        hint = "" if backup_dir else " (run undo inside the project, or pass --backup-dir)"
        raise (UsageProblem if run_id else click.ClickException)(f"{exc}{hint}") from None
    try:
        items = undo_run(info, force=force)
    except UndoConflict as exc:
        for item in exc.items:
            click.echo(f"refused: {display_path(item.path)}: {item.state} since run {info.run_id}", err=True)
        raise click.ClickException("nothing restored; use --force to overwrite those files") from None
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for item in items:
        verb = "already original" if item.state == "original" else "restored"
        note = f" (overwrote changes made since: {item.state})" if item.conflict else ""
        click.echo(f"{verb}: {display_path(item.path)}{note}", err=True)
    click.echo(f"Run {info.run_id} undone: {len(items)} file(s).", err=True)


@main.command("rules")
@click.argument("name", required=False)
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Extra rule file to include (repeatable).")  # fmt: skip
def rules_command(name, rule_files) -> None:
    """List the rules, or explain one given its code or JAX name."""
    table = _load_table(rule_files)
    if name is None:
        for rule in table.rules:
            source = rule.jax or ", ".join(f".{m}" for m in rule.methods)
            click.echo(f"{rule.code}  {source:<40} {rule.target or 'hook: ' + rule.hook}")
        return
    rule = table.find(name)
    if rule is None:
        raise UsageProblem(f"unknown rule {name!r}; `jax2torch rules` lists them")
    click.echo(rule.explain())
