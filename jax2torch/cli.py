"""The ``jax2torch`` command: ``migrate``, ``scan``, ``undo`` and ``rules``.

Exit codes follow ruff: 0 nothing to do or all done; 1 work remains (``--check``) or a file
failed; 2 usage errors (missing path, bad flag, bad rule file, unknown selector); 130 when
interrupted. The engine and rule table are imported inside the commands that need them, so
``--version`` and ``undo`` start without loading LibCST.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from jax2torch import __version__
from jax2torch.backups import DEFAULT_STORE, BackupError, RunWriter, UndoConflict, find_run, list_runs, undo_run
from jax2torch.console import Output, progress
from jax2torch.discovery import discover, display_path, find_project_root
from jax2torch.reports import (
    OUTPUT_FORMATS, REPORT_SUFFIXES, Summary, colour_diff, concise_lines, console_lines, findings_json,
    unified_diff, write_report,
)  # fmt: skip
from jax2torch.runner import CHANGED, FAILED, EngineFactory, FileResult, run

EXIT_OK, EXIT_WORK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
SOURCE_SUFFIXES = (".py", ".ipynb")


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
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="text",
              help="Findings as text (summary on stderr), concise (path:line:col: CODE message) or json, on stdout.")  # fmt: skip
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when work remains or a file failed (2 stays 2).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a file was rewritten (pre-commit hook).")
def migrate(paths, exclude, dry_run, check, no_backup, backup_dir, reports, select, ignore, rule_files,
            jit, jobs, color, quiet, verbose, output_format, exit_zero, exit_non_zero_on_fix) -> None:  # fmt: skip
    """Rewrite the JAX code in every .py and .ipynb file under PATHS in place (diffs: stdout; the rest: stderr).

    Settings come from [tool.jax2torch] in the nearest pyproject.toml; flags override them.
    """
    s = _settings(paths, exclude, select, ignore, rule_files, jit, backup_dir, reports)
    exclude, backup_dir, reports = s.exclude, s.backup_dir, s.reports
    factory = s.factory

    root = find_project_root(paths)
    store = (backup_dir or root / DEFAULT_STORE).resolve()
    files = discover(paths, root, exclude, never=[store], suffixes=SOURCE_SUFFIXES)
    write = not (dry_run or check)
    backup = RunWriter(store, root) if write and not no_backup else None
    out = Output(color, quiet)

    with progress(len(files), enabled=not quiet) as advance:

        def on_result(result: FileResult) -> None:
            advance(result.display)
            if dry_run and result.status == CHANGED:
                diff = result.diff or unified_diff(result.old_text, result.new_text, result.display)
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
    away = backup is not None and _store(None) != store  # undo from here would look elsewhere
    summary = Summary(outcome.results, mode, backup.run_id if backup else None, outcome.interrupted,
                      backup_dir=display_path(store) if away else None)
    _print_findings(summary, out, output_format, verbose)
    for report in reports:
        write_report(report, summary)
    if outcome.interrupted:
        raise SystemExit(EXIT_INTERRUPTED)
    work = check or (exit_non_zero_on_fix and write)
    if not exit_zero and (summary.with_status(FAILED) or (work and summary.with_status(CHANGED))):
        raise SystemExit(EXIT_WORK)


@dataclass(frozen=True)
class _Settings:
    exclude: tuple
    backup_dir: Path | None
    reports: tuple
    table: object
    factory: EngineFactory


def _settings(paths, exclude, select, ignore, rule_files, jit, backup_dir, reports) -> _Settings:
    """Flags over ``[tool.jax2torch]``, checked before anything runs (problems exit 2)."""
    from jax2torch.config import ConfigError, load_config, watched_roots
    from jax2torch.engine import Options

    try:
        config = load_config(paths)
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    reports = tuple(config.get("report", reports) or ())
    for report in reports:
        if report.suffix.lower() not in REPORT_SUFFIXES:
            raise click.BadParameter(f"{report}: use a .json or .md suffix", param_hint="--report")
        if not report.absolute().parent.is_dir():
            raise click.BadParameter(f"{report}: its folder does not exist", param_hint="--report")
    select = _selectors(config.get("select", select) or ())
    ignore = _selectors(config.get("ignore", ignore) or ())
    rule_files = tuple(config.get("extra-rules", rule_files) or ())
    table = _load_table(rule_files, select + ignore)
    jit = config.get("jit", jit)
    options = Options(select=select, ignore=ignore, watched=watched_roots(table), **({"jit": jit} if jit else {}))
    return _Settings(tuple(config.get("exclude", exclude) or ()), config.get("backup-dir", backup_dir), reports,
                     table, EngineFactory(tuple(str(f) for f in rule_files), options))  # fmt: skip


def _print_findings(summary: Summary, out: Output, output_format: str, verbose: bool) -> None:
    """``text``: the human summary on stderr; ``concise``/``json``: findings on stdout for tools,
    failures still on stderr."""
    if output_format == "text":
        for is_error, line in console_lines(summary, verbose):
            (out.error if is_error else out.info)(line)
        return
    for result in summary.with_status(FAILED):
        out.error(f"error: {result.display}: {result.reason}")
    shown = summary.all_findings() if verbose or output_format == "json" else summary.attention
    click.echo(findings_json(shown) if output_format == "json" else "".join(f"{line}\n" for line in concise_lines(shown)),
               nl=False)  # fmt: skip


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
    from jax2torch.engine import Migrator, Options

    migrator = Migrator(table, Options())
    click.echo(rule.explain(migrate=lambda code: _migrated_snippet(migrator, table.preamble, code)))


def _migrated_snippet(migrator, preamble: str, code: str) -> str:
    """An example as the engine migrates it, without the import lines around it."""
    text = migrator.migrate_text(preamble + code + "\n", "<example>").text
    body = [line for line in text.splitlines() if not line.startswith(("import ", "from "))]
    return "\n".join(body).strip("\n")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "concise"]), default="text",
              help="Inventory format; concise lists what is left as path:line:col: CODE message.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the inventory here, not stdout.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files/folders (repeatable).")
@click.option("--select", multiple=True, metavar="PREFIX,...", help="Only rules whose code starts so.")
@click.option("--ignore", multiple=True, metavar="PREFIX,...", help="Skip rules whose code starts so.")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Extra rule file (repeatable).")  # fmt: skip
@click.option("--check", is_flag=True, help="Exit 1 while any JAX import or use remains (unsuppressed).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with --check when JAX remains or a file failed.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [all cores].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def scan(paths, fmt, output, exclude, select, ignore, rule_files, check, exit_zero, jobs, quiet) -> None:
    """Inventory the JAX usage under PATHS: what is rewritten automatically, to a runtime helper,
    or needs a person, per file and per API, with a readiness percentage. Writes nothing."""
    from jax2torch.scan import RENDERERS, Inventory, ScanFactory

    s = _settings(paths, exclude, select, ignore, rule_files, None, None, ())
    root = find_project_root(paths)
    files = discover(paths, root, s.exclude, never=[(s.backup_dir or root / DEFAULT_STORE).resolve()],
                     suffixes=SOURCE_SUFFIXES)  # fmt: skip
    with progress(len(files), enabled=not quiet) as advance:
        outcome = run(files, ScanFactory(s.factory), jobs=jobs or _cores(), root=root, write=False,
                      on_result=lambda result: advance(result.display))  # fmt: skip
    inventory = Inventory.from_results(outcome.results, s.table)
    text = RENDERERS[fmt](inventory)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if outcome.interrupted:
        raise SystemExit(EXIT_INTERRUPTED)
    if not exit_zero and (inventory.failed or (check and inventory.remaining())):
        raise SystemExit(EXIT_WORK)
