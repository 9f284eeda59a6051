"""Import and export commands: other tools' flashcards -> deck files, the store -> Anki and CSV."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from studydl.cli.context import CliContext, pass_ctx
from studydl.domain.errors import StudyError
from studydl.domain.words import plural
from studydl.interop.detect import FORMATS


@dataclass
class _Plan:
    source: Path
    out: Path
    result: object  # ImportResult
    written: object  # WrittenDeck


def _separator(value: str | None) -> str | None:
    if value is None:
        return None
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
    return named.get(value.lower(), value) or None


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".studydl-import-", suffix=".md", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _settings(obj: CliContext):  # -> Settings
    """The learner's settings (zone, day start, steps); their defaults while there is no database yet (none is made here)."""
    from studydl.engine.setting_values import Settings

    if obj.home.server is None and not obj.home.db_path.exists():
        return Settings()
    from studydl.engine.settings import load_settings

    return load_settings(obj.db)


def default_target(decks_dir: Path, stem: str) -> Path:
    """Where an import writes by default: `<stem>.md` in the home's decks, unless a bundled
    deck has that name (a home file of the same name is the learner's copy of the bundled
    deck and would replace it): then `<stem>-imported.md`."""
    from studydl.resources import bundled_decks_dir

    name = f"{stem}.md"
    if (bundled_decks_dir() / name).exists():
        name = f"{stem}-imported.md"
    return decks_dir / name


def _read_all(files: tuple[Path, ...], options: object, errors: list[str]) -> list[tuple[Path, object]]:
    """(source, ImportResult) for every deck in the files: an Anki package gives one per top-level deck."""
    from studydl.interop.importer import read_source
    from studydl.interop.result import ImportFailed

    read: list[tuple[Path, object]] = []
    for source in files:
        try:
            read.extend((source, result) for result in read_source(source, options).by_deck())  # type: ignore[arg-type]
        except ImportFailed as exc:
            errors.append(str(exc))
        except (MemoryError, RecursionError):
            errors.append(f"{source}: too large or too deeply nested to import (ran out of memory)")
    return read


def _plan(
    obj: CliContext, files: tuple[Path, ...], options: object, output: Path | None, force: bool, syncing: bool
) -> tuple[list[_Plan], list[str]]:
    """Read every file and lay out what to write; nothing is written here.

    A deck that will be synced must be inside the decks folder: a plain `studydl sync` reads only there.
    """
    from studydl.interop.deck_writer import slug, write_deck

    plans: list[_Plan] = []
    errors: list[str] = []
    targets: dict[Path, Path] = {}
    decks_dir = obj.home.decks_dir.expanduser().resolve()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    read = _read_all(files, options, errors)
    if output is not None and len(read) > 1:
        names = ", ".join(result.deck_name for _, result in read)  # type: ignore[attr-defined]
        errors.append(f"{read[0][0]}: holds {len(read)} decks ({names}), each its own deck file; leave out -o to write them to {decks_dir}")
        read = []
    for source, result in read:
        out = (output or default_target(obj.home.decks_dir, slug(result.deck_name))).expanduser().resolve()
        if not result.cards:
            for part in result.skipped:
                click.echo(str(part))
            errors.append(f"{source}: found nothing to import as cards ({len(result.skipped)} parts skipped)")
            continue
        if out in targets:
            errors.append(f"{source}: would write {out}, as {targets[out]} does; import it with -o OUT.md")
            continue
        if out.exists() and not force:
            errors.append(f"{source}: {out} already exists; add --force to replace it, or -o to write elsewhere")
            continue
        if out.suffix.lower() != ".md":
            errors.append(f"{source}: the output {out} must be a .md file (decks are Markdown files)")
            continue
        if syncing and decks_dir not in out.parents:
            errors.append(
                f"{source}: {output} is outside the decks folder {decks_dir}, which is where sync reads decks:"
                " give -o a path inside it, or add --no-sync to only write the file"
            )
            continue
        targets[out] = source
        header = f"imported from {source.name} ({result.format}) by `studydl import` on {stamp}"
        plans.append(_Plan(source, out, result, write_deck(result, out, header)))
    return plans, errors


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Read the files as this format (default: detect it).")
@click.option("--sep", help="Separator between term and definition (tsv), or between CSV columns: a string, or tab/comma/semicolon.")
@click.option("--cloze-bold", is_flag=True, help="Obsidian notes: read **bold** as cloze gaps too (==highlight== and {{curly}} always are, in #flashcards notes).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the deck here (one input file only; inside the decks folder unless --no-sync).")
@click.option("--force", is_flag=True, help="Replace an existing deck file.")
@click.option("--no-sync", is_flag=True, help="Only write the deck file; do not sync it (Anki history is then not imported).")
@pass_ctx
def import_cmd(obj: CliContext, files: tuple[Path, ...], fmt: str | None, sep: str | None, cloze_bold: bool, output: Path | None, force: bool, no_sync: bool) -> None:
    """Turn other tools' flashcards into studydl deck files (the source is never changed).

    Reads Anki packages (.apkg, with their review history), Obsidian Spaced
    Repetition notes, Quizlet-style term/definition lists (alternating lines,
    TAB- or --sep-separated lines, CSV with a header) and plain Markdown notes
    (clearly written definitions only). Writes <home>/decks/<name>.md (or -o),
    syncs it, and prints every skipped part as file:line: skipped: reason.
    """
    from studydl.interop.importer import ImportOptions

    if output is not None and len(files) > 1:
        raise click.UsageError("-o/--output takes one input file; leave it out to write one deck per file")
    settings = _settings(obj)
    options = ImportOptions(
        format=fmt, sep=_separator(sep), cloze_bold=cloze_bold, days=settings.study_days(),
        steps=(len(settings.learning_steps_min), len(settings.relearning_steps_min)),
    )
    plans, errors = _plan(obj, files, options, output, force, syncing=not no_sync)
    if errors:
        for message in errors:
            click.echo(message, err=True)
        click.echo("nothing was written", err=True)
        raise SystemExit(1)
    if not no_sync:
        obj.db  # noqa: B018 - opened before any deck file is written: a damaged database stops here
    for plan in plans:
        _write_atomic(plan.out, plan.written.text)  # type: ignore[attr-defined]
    for plan in plans:
        _report(plan)
    if no_sync:
        if any(plan.result.has_history for plan in plans):  # type: ignore[attr-defined]
            click.echo("not synced (--no-sync): the imported review history was left out")
        return
    _sync(obj, plans)


def _report(plan: _Plan) -> None:
    result, written = plan.result, plan.written
    cards = written.parsed.cards  # type: ignore[attr-defined]
    kinds: dict[str, int] = {}
    for card in cards:
        kinds[str(card.kind)] = kinds.get(str(card.kind), 0) + 1
    detail = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    click.echo(f"{plan.source} ({result.format}): {plural(len(cards), 'card')} ({detail}) -> {plan.out}")  # type: ignore[attr-defined]
    for part in [*result.skipped, *written.skipped]:  # type: ignore[attr-defined]
        click.echo(str(part))
    for note in result.notes:  # type: ignore[attr-defined]
        click.echo(f"{plan.source}: note: {note}")


def _sync(obj: CliContext, plans: list[_Plan]) -> None:
    from studydl.decks.sync import sync_decks
    from studydl.interop.history import write_history

    report = sync_decks(obj.db, [plan.out for plan in plans], roots=obj.home.named_roots())
    click.echo(
        f"synced: {len(report.added)} added, {len(report.changed)} changed, {len(report.restored)} restored, "
        f"{len(report.retired)} retired"
    )
    for problem in report.errors:
        click.echo(str(problem), err=True)
    if report.errors:
        raise SystemExit(1)
    for plan in plans:
        if not plan.result.has_history:  # type: ignore[attr-defined]
            continue
        by_card = plan.result.cards  # type: ignore[attr-defined]
        items = [
            (link.parsed, by_card[link.card].history[link.ordinal])
            for link in plan.written.links  # type: ignore[attr-defined]
            if link.ordinal in by_card[link.card].history
        ]
        done = write_history(obj.db, plan.out, items)
        if done.cards or done.reviews:
                click.echo(f"history: {plural(done.cards, 'card')} took their imported scheduling, {plural(done.reviews, 'past review')} imported")
        if done.kept:
            click.echo(f"history: left as they are: {plural(done.kept, 'card')} with reviews in studydl already")


@click.command("export")
@click.option("--apkg", "apkg_out", type=click.Path(dir_okay=False, path_type=Path), help="Write an Anki package here.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path), help="Write a CSV table here.")
@click.option("--deck", help="Only this deck (by name).")
@pass_ctx
def export_cmd(obj: CliContext, apkg_out: Path | None, csv_out: Path | None, deck: str | None) -> None:
    """Export the synced cards to an Anki package (--apkg) and/or a CSV table (--csv).

    Re-exporting updates the same Anki notes instead of adding duplicates. Run
    `studydl sync` first so the store has your latest deck edits.
    """
    from studydl.store.queries import deck_names, list_cards

    if apkg_out is None and csv_out is None:
        raise click.UsageError("give --apkg OUT.apkg and/or --csv OUT.csv")
    for out in (apkg_out, csv_out):
        if out is not None and not out.expanduser().parent.is_dir():
            raise StudyError(f"{out}: the folder {out.expanduser().parent} does not exist; create it first")
    with obj.db.read() as s:
        cards = list_cards(s, deck, include_retired=False)
        names = deck_names(s)
    if not cards:
        if deck is not None:
            known = ", ".join(names) or "none"
            raise StudyError(f"no cards in a deck named {deck!r} (decks: {known})")
        raise StudyError("no cards in the store yet: run `studydl sync` first")
    if apkg_out is not None:
        from studydl.interop.apkg_write import write_apkg
        from studydl.interop.export_notes import export_notes

        notes = export_notes(cards)
        with _writing(apkg_out):
            count, reviews = write_apkg(notes, apkg_out, _schedule_export(obj, [c.id for c in cards]))
        click.echo(f"{apkg_out}: {plural(len(notes), 'note')}, {plural(count, 'Anki card')}, {plural(reviews, 'past review')}")
    if csv_out is not None:
        from studydl.interop.csv_export import write_csv

        with _writing(csv_out):
            rows = write_csv(cards, csv_out)
        click.echo(f"{csv_out}: {plural(rows, 'card')}")


def _schedule_export(obj: CliContext, card_ids: list[int]) -> object:  # -> ScheduleExport
    """The cards' scheduling and review log, counted in the learner's study days, as of now."""
    from studydl.engine.settings import load_settings
    from studydl.interop.apkg_schedule import ScheduleExport
    from studydl.interop.export_history import load_schedules

    settings = load_settings(obj.db)
    return ScheduleExport(
        load_schedules(obj.db, card_ids),
        settings.study_days(),
        datetime.now(UTC),
        len(settings.learning_steps_min),
        len(settings.relearning_steps_min),
    )


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """A file that cannot be written (a read-only folder, a full disk) is one line naming it; nothing is left behind."""
    try:
        yield
    except OSError as exc:
        raise StudyError(f"{out}: cannot write the file: {exc.strerror or exc}") from exc
