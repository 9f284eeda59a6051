"""What a checked answer looks like: the typed-answer diff and a prediction beside the measured value.

rich Text, shared by the app's card view and `review --plain`. In colour, as Anki's
type-in-the-answer: what was typed right is green, what was typed wrong red and
struck through, what was missed from the expected answer is highlighted; a line of
glyphs under each line marks the same characters (`~` wrong, `^` missed), so the diff
reads on a terminal without colour too. For a pipe (no colour at all), wrong
characters are wrapped in [ ] and missed ones in ( ) instead.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from studydl.domain.checks import Choice, Prediction
from studydl.domain.review import Rating
from studydl.engine.predict import Verdict, choice_letter, format_value
from studydl.engine.typed_answer import Segment, TypedResult

STYLES = {"same": "green", "wrong": "bold red strike", "missed": "bold black on yellow"}
MARKS = {"same": ("", ""), "wrong": ("[", "]"), "missed": ("(", ")")}
GLYPHS = {"same": " ", "wrong": "~", "missed": "^"}
"""Under each character of a line: what the colour says, as a glyph."""


def _line(label: str, segments: tuple[Segment, ...], colour: bool) -> Text:
    text = Text(label, style="dim")
    if not segments:
        text.append("(nothing)", style="dim italic")
    for seg in segments:
        if colour:
            text.append(seg.text, style=STYLES[seg.kind])
        else:
            left, right = MARKS[seg.kind]
            text.append(f"{left}{seg.text}{right}")
    return text


def _glyphs(label: str, segments: tuple[Segment, ...]) -> Text | None:
    """`~` under wrong characters, `^` under missed ones (None when the line has neither)."""
    if all(seg.kind == "same" for seg in segments):
        return None
    marks = "".join(GLYPHS[seg.kind] * cell_len(seg.text) for seg in segments)
    return Text(" " * len(label) + marks.rstrip(), style="bold")


def typed_diff(result: TypedResult, colour: bool = True) -> Text:
    """Two lines, typed over expected (in colour each with its glyph line), and the verdict."""
    out = Text()
    for label, segments in (("you typed: ", result.typed_line), ("expected:  ", result.expected_line)):
        out.append_text(_line(label, segments, colour))
        out.append("\n")
        if colour and (marks := _glyphs(label, segments)) is not None:
            out.append_text(marks)
            out.append("\n")
    out.append("✓ right" if result.correct else "✗ not quite", style="bold green" if result.correct else "bold red")
    return out


def with_proposal(check: Text, rating: Rating) -> Text:
    """The checked answer with the rating Enter gives after it: `✗ not quite   Enter: Again`."""
    out = check.copy()
    out.append("   Enter: ", style="dim")
    out.append(rating.name.title(), style="bold")
    return out


def params_line(demo_id: str, params: dict[str, object]) -> str:
    """`demo learning-rate · lr_good = 0.37, curvature = 4` (the values drawn for this review)."""
    shown = ", ".join(f"{name} = {value}" for name, value in params.items())
    return f"demo {demo_id}" + (f" · {shown}" if shown else "")


def choices_line(prediction: Prediction, sep: str = "   ") -> str:
    """`a) ...   b) ...` (the app puts each on its own line: `sep="\n"`)."""
    return sep.join(f"{choice_letter(i)}) {c.label}" for i, c in enumerate(prediction.choices))


def prediction_prompt(prediction: Prediction) -> str:
    """What the answer box asks; a choice's labels are on the card (a prompt line is cut at 80 columns)."""
    if prediction.choices:
        letters = ", ".join(choice_letter(i) for i in range(len(prediction.choices)))
        return f"Predict {prediction.metric}: type {letters}"
    assert prediction.tolerance is not None
    return f"Predict {prediction.metric} (a number; right within {prediction.tolerance.describe()})"


def verdict_text(prediction: Prediction, verdict: Verdict, cached: bool) -> Text:
    """`your prediction 0.5 · measured 0.75 (right: within ±0.1)` with the verdict."""
    guess = verdict.guess.label if isinstance(verdict.guess, Choice) else format_value(verdict.guess)
    out = Text("your prediction: ", style="dim")
    out.append(guess, style="bold")
    out.append("   measured: ", style="dim")
    out.append(format_value(verdict.measured), style="bold")
    if prediction.choices:
        out.append(f"  (nearest choice: {verdict.answer})", style="dim")
    out.append("  (cached run)" if cached else "", style="dim")
    out.append("\n")
    if verdict.right:
        out.append("✓ right", style="bold green")
    else:
        out.append("✗ off", style="bold red")
    if prediction.tolerance is not None:
        out.append(f" (tolerance {prediction.tolerance.describe()})", style="dim")
    return out
