"""Backup, restore and doctor: keeping a learner's database, and their years of reviews, safe."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from studydl.cli.context import CliContext, pass_ctx
from studydl.domain.errors import StudyError


def _now() -> datetime:
    return datetime.now(UTC)


def _local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else "never"


def _size(n: int) -> str:
    return f"{n / 1024**2:.1f} MB" if n >= 1024**2 else f"{max(1, round(n / 1024))} KB"


def backup_after_session(obj: CliContext) -> Path | None:
    """The automatic backup at the end of `review --plain` (see store/backup_policy.py); never fails the review."""
    from studydl.domain.days import local_zone
    from studydl.store.backup_policy import auto_backup

    if obj.home.server is not None:  # a server's database: its own tools back it up
        return None
    try:
        return auto_backup(obj.home.db_path, obj.home.backups_dir, _now(), local_zone())
    except (StudyError, OSError) as exc:
        click.echo(f"warning: no automatic backup: {exc}", err=True)
        return None


@click.command()
@click.option("--list", "list_", is_flag=True, help="List the backups (newest first) instead of making one.")
@pass_ctx
def backup(obj: CliContext, list_: bool) -> None:
    """Back up the database now and print the backup's path.

    Backups live in the home's backups folder. studydl also makes one by itself
    when a review session ends or the app closes (at most every 3 hours), and
    keeps today's and yesterday's, then one a day for 7 days, one a week for 4
    weeks and one a month for 3 months. `studydl restore FILE` puts one back.
    """
    obj.require_sqlite_file("studydl backup")
    from studydl.store.backup import describe, find_backups

    folder = obj.home.backups_dir
    if list_:
        backups = find_backups(folder)[::-1]
        if not backups:
            click.echo(f"no backups yet in {folder}; `studydl backup` makes one")
            return
        click.echo(f"{len(backups)} backups in {folder} (newest first):")
        for item in backups:
            info = describe(item)
            counts = "unreadable" if info.reviews is None else f"{info.reviews} reviews, {info.cards} cards"
            tag = f"  ({item.tag})" if item.tag else ""
            click.echo(f"  {_local(item.taken_at)}  {_size(info.size):>9}  {counts:<28} {item.path.name}{tag}")
        return
    from studydl.domain.days import local_zone
    from studydl.store.backup import make_backup
    from studydl.store.backup_policy import thin_backups

    now = _now()
    path = make_backup(obj.home.db_path, folder, now)
    thin_backups(folder, now, local_zone())
    click.echo(str(path))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-y", "--yes", is_flag=True, help="Do not ask before replacing the database.")
@pass_ctx
def restore(obj: CliContext, file: Path, yes: bool) -> None:
    """Replace the database with the backup FILE (a path, or a name from `studydl backup --list`).

    The database as it is now is backed up first (or, when it is too damaged for
    that, moved into the backups folder as damaged-<time>.db), so a restore can
    itself be undone with another restore.
    """
    obj.require_sqlite_file("studydl restore")
    from studydl.store.backup_restore import read_contents, restore_backup

    source = file if file.exists() or file.parent != Path(".") else obj.home.backups_dir / file.name
    contents = read_contents(source)
    db_path = obj.home.db_path
    if not yes:
        click.echo(f"{source}: {contents.cards} cards, {contents.reviews} reviews, last review {_local(contents.last_review)}")
        click.confirm(f"Replace the database {db_path} with it? (the current one is backed up first)", abort=True, err=True)
    done = restore_backup(db_path, source, obj.home.backups_dir, _now())
    if done.saved is not None:
        click.echo(f"the database before the restore is saved as {done.saved}")
    if done.damaged_copy is not None:
        click.echo(f"the damaged database was moved to {done.damaged_copy}")
    click.echo(f"restored {source}: {done.restored.cards} cards, {done.restored.reviews} reviews")


@click.command()
@click.option("--check", "check_only", is_flag=True, help="Only report; change nothing.")
@pass_ctx
def doctor(obj: CliContext, check_only: bool) -> None:
    """Check the database: SQLite's integrity check, orphaned rows, scheduling against the review log.

    Where a card's scheduling state disagrees with its review log, the state is
    rebuilt from the log (after a backup). Orphans (reviews whose card is gone,
    cards whose deck is gone) are reported, never deleted. Exit status 1 when
    something is left that doctor did not repair.
    """
    obj.require_sqlite_file("studydl doctor")
    from studydl.doctor.checkup import run_doctor

    report = run_doctor(obj.home, _now(), repair=not check_only)
    path = report.db_path
    if not report.exists:
        click.echo(f"{path}: no database yet (it is made on first use); nothing to check")
        return
    if report.damage is not None:
        click.echo(f"{path}: damaged: {report.damage}", err=True)
        for line in report.integrity:
            click.echo(f"  {line}", err=True)
        if report.backups:
            click.echo("doctor cannot repair a damaged file; restore a backup instead, e.g. the newest:", err=True)
            for item in report.backups:
                click.echo(f"  studydl restore {item.path}    ({_local(item.taken_at)})", err=True)
        else:
            click.echo(f"doctor cannot repair a damaged file, and there is no backup in {obj.home.backups_dir}", err=True)
        raise SystemExit(1)
    click.echo(f"{path}: integrity ok")
    for finding in report.orphans:
        click.echo(f"orphans: {finding}", err=True)
    for disagreement in report.disagreements:
        click.echo(f"scheduling: {disagreement}")
    if report.disagreements:
        if report.rebuilt:
            click.echo(f"rebuilt the scheduling state of {report.rebuilt} cards from their review log (backup first: {report.backup})")
        else:
            click.echo(f"{len(report.disagreements)} cards disagree with their review log; run `studydl doctor` to rebuild them")
    else:
        click.echo("scheduling agrees with the review log")
    for note in report.notes:
        click.echo(f"note: {note}")
    if not report.fine:
        raise SystemExit(1)
    click.echo("no problems left")

