"""Presets: named groups of options decks share, and each deck's own preset and retention.

The options that were global settings rows (desired retention, steps, limits, maximum
interval, burying, leeches, the FSRS parameters and the ones a fit replaced) become
the "Default" preset, which every deck uses until it is given another; the settings
table keeps what every preset shares (fuzz, day start, zone, theme, per-deck limits).
The parameters are stored with their FSRS model version (6) and count. Downgrading
writes the Default preset back as settings rows.

Revision ID: 0008
Revises: 0007
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PRESET_KEYS = (
    "desired_retention", "learning_steps_min", "relearning_steps_min", "maximum_interval", "new_per_day",
    "reviews_per_day", "bury_siblings", "leech_threshold", "leech_suspend",
)  # fmt: skip
"""Settings rows that were options of what is now a preset (parameters are handled apart)."""
FSRS_VERSION = 6


def _loads(text: str | None) -> object:
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return None


def _parameter_set(values: object) -> dict[str, object]:
    values = values if isinstance(values, list) else None
    return {"parameters": values, "fsrs_version": FSRS_VERSION, "parameter_count": len(values) if values else None}


def upgrade() -> None:
    presets = op.create_table(
        "presets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("parameters", sa.Text, nullable=True),
        sa.Column("fsrs_version", sa.Integer, nullable=False, server_default="6"),
        sa.Column("parameter_count", sa.Integer, nullable=True),
        sa.Column("previous_parameters", sa.Text, nullable=True),
    )
    op.create_table(
        "deck_options",
        sa.Column("deck", sa.String(200), primary_key=True),
        sa.Column("preset_id", sa.Integer, sa.ForeignKey("presets.id"), nullable=True),
        sa.Column("desired_retention", sa.Float, nullable=True),
    )
    bind = op.get_bind()
    rows = dict(bind.execute(sa.text("SELECT key, value FROM settings")).all())
    options = {key: _loads(rows[key]) for key in PRESET_KEYS if key in rows and _loads(rows[key]) is not None}
    current = _parameter_set(_loads(rows.get("parameters")))
    previous = _parameter_set(_loads(rows["parameters_previous"])) if "parameters_previous" in rows else None
    op.bulk_insert(
        presets,
        [
            {  # (no explicit id: PostgreSQL's sequence must hand out the next one)
                "name": "Default",
                "options": json.dumps(options, sort_keys=True),
                "parameters": json.dumps(current["parameters"]) if current["parameters"] else None,
                "fsrs_version": FSRS_VERSION,
                "parameter_count": current["parameter_count"],
                "previous_parameters": json.dumps(previous) if previous is not None else None,
            }
        ],
    )
    moved = (*PRESET_KEYS, "parameters", "parameters_previous")
    bind.execute(sa.text("DELETE FROM settings WHERE key IN (" + ", ".join(f"'{k}'" for k in moved) + ")"))


def downgrade() -> None:
    bind = op.get_bind()
    found = bind.execute(
        sa.text("SELECT options, parameters, previous_parameters FROM presets WHERE name = 'Default'")
    ).first()
    if found is not None:
        options, parameters, previous = found
        values = {k: v for k, v in (_loads(options) or {}).items() if k in PRESET_KEYS}
        values["parameters"] = _loads(parameters)
        if previous is not None:
            values["parameters_previous"] = (_loads(previous) or {}).get("parameters")
        for key, value in values.items():
            bind.execute(sa.text("DELETE FROM settings WHERE key = :key"), {"key": key})
            bind.execute(sa.text("INSERT INTO settings (key, value) VALUES (:key, :value)"), {"key": key, "value": json.dumps(value)})
    op.drop_table("deck_options")
    op.drop_table("presets")
