"""`studydl settings`: the shared settings, the presets decks use, and each deck's choices."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from studydl.cli.context import CliContext, pass_ctx

DECK_KEYS = {"preset": "preset", "retention": "retention", "desired_retention": "retention"}


@click.command()
@click.argument("pairs", nargs=-1, metavar="[KEY [VALUE]]...")
@click.option("--preset", "preset", metavar="NAME", help="Show or set this preset's options (a new name adds one).")
@click.option("--copy-from", metavar="NAME", help="With --preset: add the new preset as a copy of this one.")
@click.option("--remove", is_flag=True, help="With --preset: remove the preset (its decks go back to Default).")
@click.option("--deck", metavar="DECK", help="Set a deck's `preset NAME` or its own `retention VALUE` (`default`: the preset's).")
@click.option("--json", "as_json", is_flag=True, help="Print the settings, presets and decks as one JSON document.")
@pass_ctx
def settings(
    obj: CliContext, pairs: tuple[str, ...], preset: str | None, copy_from: str | None, remove: bool, deck: str | None,
    as_json: bool,
) -> None:
    """Show the settings, one (KEY), or set some (KEY VALUE ...; `default` resets one).

    Options such as retention, steps, limits, orders, Easy Days and the FSRS parameters
    belong to a preset that decks share (Anki's presets; every deck uses "Default"
    until given another); fuzz, the load balancer, day start, zone, theme and per-deck
    limits are shared by all. Examples: `settings retention 0.85` (the Default preset),
    `settings --preset Languages retention 0.8 easy_days "Sun=minimum"`,
    `settings --deck Transformers preset Languages`, `settings --deck cnn retention 0.95`,
    `settings new 10 reviews 150`, `settings zone Europe/Berlin`. Every value is checked
    before any is saved, and every bad one is named.
    """
    from studydl.domain.errors import StudyError
    from studydl.engine.settings import DEFAULT_PRESET, load_settings

    current = load_settings(obj.db)
    if deck is not None:
        _set_deck(obj, current, deck, pairs)
        return
    name = preset or DEFAULT_PRESET
    if remove or copy_from is not None:
        _add_or_remove(obj, current, preset, copy_from, remove)
        if remove or not pairs:
            return
        current = load_settings(obj.db)
    if preset is not None and preset not in current.preset_names() and not pairs:
        raise StudyError(f"no preset named {preset!r} (presets: {', '.join(current.preset_names())})")
    if as_json and not pairs:
        click.echo(json.dumps(settings_document(obj, current, preset), indent=2))
        return
    if not pairs:
        _show(obj, current, preset)
        return
    _set(obj, current, name, pairs, explicit=preset is not None)


def _show(obj: CliContext, current: Any, preset: str | None) -> None:
    from studydl.engine.settings import GLOBAL_FIELDS, PRESET_FIELDS, display_value

    seen = current.for_preset(preset or current.preset)
    if preset is None:
        for name in GLOBAL_FIELDS:
            click.echo(f"{name:22} {display_value(current, name)}")
        click.echo("")
    users = current.decks_of(seen.preset, _deck_names(obj))
    count = len(seen.parameters) if seen.parameters is not None else "default"
    click.echo(f"Preset {seen.preset!r} (FSRS-{seen.fsrs_version}, {count} parameters; decks: {', '.join(users) or 'none'}):")
    for name in PRESET_FIELDS:
        click.echo(f"{name:22} {display_value(seen, name)}")
    if preset is None:
        others = [p for p in current.preset_names() if p != seen.preset]
        click.echo(f"\nOther presets: {', '.join(others) if others else '(none)'}  (`studydl settings --preset NAME`)")
        for deck_name, retention in sorted(current.deck_retention.items()):
            click.echo(f"Deck {deck_name!r}: its own desired retention {retention:g}")


def _set(obj: CliContext, current: Any, preset: str, pairs: tuple[str, ...], explicit: bool) -> None:
    from studydl.engine.settings import (
        GLOBAL_FIELDS,
        SettingsInvalid,
        canonical_key,
        display_value,
        parse_values,
        save_changes,
    )

    if len(pairs) == 1:
        name = canonical_key(pairs[0])
        click.echo(f"{name} = {display_value(current.for_preset(preset) if name not in GLOBAL_FIELDS else current, name)}")
        return
    if len(pairs) % 2:
        raise click.UsageError(f"{pairs[-1]!r} has no value: give KEY VALUE pairs (`default` resets one)")
    texts = {canonical_key(key): value for key, value in zip(pairs[::2], pairs[1::2], strict=True)}
    shared = sorted(name for name in texts if name in GLOBAL_FIELDS)
    if explicit and shared:
        raise click.UsageError(f"{', '.join(shared)}: shared by every preset; set it without --preset")
    try:
        values = parse_values(texts)
    except SettingsInvalid as exc:
        for name, message in exc.problems.items():
            click.echo(f"Error: {name}: {message}", err=True)
        raise SystemExit(1) from None
    if preset not in current.preset_names():
        click.echo(f"Added preset {preset!r} (Anki's defaults, with the options given).")
    before = current.for_preset(preset) if preset in current.preset_names() else None
    saved = save_changes(obj.db, values, preset)
    seen = saved.for_preset(preset)
    for name in values:
        click.echo(f"{name} = {display_value(seen if name not in GLOBAL_FIELDS else saved, name)}")
    if before is not None and "desired_retention" in values and values["desired_retention"] != before.desired_retention:
        _workload(obj, saved, preset, values["desired_retention"], before.desired_retention)


def _workload(obj: CliContext, current: Any, preset: str, retention: float, before: float) -> None:
    from studydl.engine.retention_advice import workload_factor, workload_text

    factor = workload_factor(obj.db, datetime.now(UTC), current, preset, retention, before)
    click.echo(workload_text(factor, before))


def _set_deck(obj: CliContext, current: Any, deck: str, pairs: tuple[str, ...]) -> None:
    from studydl.cli.review import _deck_name
    from studydl.domain.errors import StudyError
    from studydl.engine.settings import DECKS_KEY, SettingsInvalid, save_changes

    names = _deck_names(obj)
    found = _deck_name(obj, deck)
    if found not in names:
        raise StudyError(f"no deck named {deck!r} (decks: {', '.join(sorted(names)) or 'none yet; run `studydl sync`'})")
    if not pairs:
        retention = current.deck_retention.get(found)
        own = f", its own desired retention {retention:g}" if retention is not None else ""
        click.echo(f"{found}: preset {current.preset_of(found)!r}{own}")
        return
    if len(pairs) % 2:
        raise click.UsageError(f"{pairs[-1]!r} has no value: give `preset NAME` or `retention VALUE`")
    choice: dict[str, Any] = {}
    for key, value in zip(pairs[::2], pairs[1::2], strict=True):
        field = DECK_KEYS.get(key.strip().lower().replace("-", "_"))
        if field is None:
            raise click.UsageError(f"{key!r}: a deck has a `preset` and may have its own `retention`")
        reset = value.strip().lower() in {"default", "reset", ""}
        if field == "preset" and not reset and value not in current.preset_names():
            raise StudyError(f"no preset named {value!r} (presets: {', '.join(current.preset_names())})")
        choice[field] = None if reset else (value if field == "preset" else value.strip())
    before = current.for_deck(found).desired_retention
    try:
        saved = save_changes(obj.db, {DECKS_KEY: {found: choice}})
    except SettingsInvalid as exc:
        raise StudyError(f"retention: {exc.problems['desired_retention']}") from None
    seen = saved.for_deck(found)
    click.echo(f"{found}: preset {saved.preset_of(found)!r}, desired retention {seen.desired_retention:g}"
               + (" (its own)" if found in saved.deck_retention else " (the preset's)"))
    if seen.desired_retention != before and saved.preset_of(found) == current.preset_of(found):
        _workload(obj, saved, saved.preset_of(found), seen.desired_retention, before)


def _add_or_remove(obj: CliContext, current: Any, preset: str | None, copy_from: str | None, remove: bool) -> None:
    from studydl.domain.errors import StudyError
    from studydl.engine.presets import copy_preset, delete_preset

    if preset is None:
        raise click.UsageError("--copy-from and --remove need --preset NAME")
    with obj.db.write() as s:
        if remove:
            moved = delete_preset(s, preset)
            click.echo(f"Removed preset {preset!r}; {moved} deck(s) back on Default.")
            return
        if copy_from not in current.preset_names():
            raise StudyError(f"no preset named {copy_from!r} (presets: {', '.join(current.preset_names())})")
        copy_preset(s, preset, current.options_of(copy_from))
    click.echo(f"Added preset {preset!r}, a copy of {copy_from!r}.")


def _deck_names(obj: CliContext) -> list[str]:
    from studydl.engine.queue_counts import deck_names

    with obj.db.raw_read() as con:
        return sorted(set(deck_names(con).values()), key=str.lower)


def settings_document(obj: CliContext, current: Any, preset: str | None = None) -> dict[str, Any]:
    """Everything as JSON: the shared settings, every preset (with its FSRS model and decks), every deck's choices."""
    from studydl.engine.presets import parameter_sets
    from studydl.engine.settings import GLOBAL_FIELDS, PRESET_FIELDS, to_json

    decks = _deck_names(obj)
    with obj.db.read() as s:
        stored = parameter_sets(s)
    presets = {}
    for name in current.preset_names():
        seen = current.for_preset(name)
        doc = {field: json.loads(to_json(field, getattr(seen, field))) for field in PRESET_FIELDS}
        kept = stored.get(name, {})
        doc["fsrs_version"] = kept.get("fsrs_version", seen.fsrs_version)
        doc["parameter_count"] = kept.get("parameter_count")
        doc["decks"] = current.decks_of(name, decks)
        presets[name] = doc
    if preset is not None:
        return {"preset": preset, **presets[preset]}
    return {
        "settings": {field: json.loads(to_json(field, getattr(current, field))) for field in GLOBAL_FIELDS},
        "presets": presets,
        "decks": {
            deck: {
                "preset": current.preset_of(deck),
                "desired_retention": current.for_deck(deck).desired_retention,
                "own_retention": current.deck_retention.get(deck),
            }
            for deck in decks
        },
    }
