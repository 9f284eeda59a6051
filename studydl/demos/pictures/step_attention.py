"""One query of an attention head: scores over the keys, their softmax, and the mix of values."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from studydl.demos.inspect import Selection, attend
from studydl.demos.pictures.steps import StepPicture, fixed, gap_mark, num
from studydl.domain.demos import AttentionInspect

BAR = 8
"""Characters of the weight bar at weight 1."""
DIM_W = 7
SCORE_W, WEIGHT_W = 7, 6
Fmt = Callable[[float], str]
"""Characters per value dimension."""


class AttentionStepArt(StepPicture):
    """Scores, softmax and values key by key; then the mix beside the head's own output."""

    def __init__(self, frame: AttentionInspect, selection: Selection) -> None:
        self.frame = frame
        self.attend = attend(frame, selection)
        self.key = selection.col

    def lines(self, width: int, colour: bool = True) -> list[Text]:
        frame, a = self.frame, self.attend
        head = Text(f"Query {a.query} ", style="bold")
        head.append(f"“{a.label}”", style="bold")
        head.append(f" ({a.query + 1} of {len(frame.queries)}): score = q·k / {num(frame.scale)}, softmax, Σ weight × value")
        out = [head, self._queries()]
        label_w = max(len(self._key_label(k)) for k in range(len(frame.keys)))
        lead = label_w + 1 + SCORE_W + 1 + WEIGHT_W + 1 + BAR + 1
        dims = len(a.mix)
        shown = max(0, min(dims, (width - lead) // DIM_W))
        note = f"value (first {shown} of {dims} dims)" if shown < dims else "value"
        out.append(Text(f"{'key':<{label_w}} {'score':>{SCORE_W}} {'weight':>{WEIGHT_W}} {'':<{BAR}} {note}", style="dim"))
        score, weight = fixed(a.scores, signed=True), fixed([1.5])
        value = fixed([v for row in a.values for v in row[:shown]] + a.mix[:shown], signed=True)
        for k in range(len(frame.keys)):
            out.append(self._key_row(k, label_w, score, weight, value, shown))
        out.append(Text())
        for name, vector, style in (("Σ weight × value", a.mix, "bold"), ("the head's output", a.output, "")):
            line = Text(f"{name:<{lead}}", style=style)
            out.append(line.append("".join(f"{value(v):>{DIM_W}}" for v in vector[:shown]), style=style))
        worst = max((abs(x - y) for x, y in zip(a.mix, a.output, strict=True)), default=0.0)
        size = max((abs(v) for v in a.output), default=0.0)
        check = Text(f"the mix is the head's output in all {dims} dims (largest gap {worst:.1g}) ")
        gap = max((abs(x - y) for x, y in zip(a.softmax, a.weights, strict=True)), default=0.0)
        soft = Text(f"the softmax is the model's attention weights (largest gap {gap:.1g}) ")
        return [*out, check.append_text(gap_mark(worst, size)), soft.append_text(gap_mark(gap))]

    def _key_label(self, k: int) -> str:
        return f"{k} {self.frame.keys[k]}"

    def _queries(self) -> Text:
        """The query tokens on one line, the selected one in reverse."""
        line = Text("queries: ", style="dim")
        for i, word in enumerate(self.frame.queries):
            line.append(word, style="reverse bold" if i == self.attend.query else "")
            line.append(" ")
        return line

    def _key_row(self, k: int, label_w: int, score: Fmt, weight: Fmt, value: Fmt, shown: int) -> Text:
        a = self.attend
        w = a.softmax[k]
        style = "reverse" if k == self.key else "bold" if w >= 0.2 else ""
        row = Text(f"{self._key_label(k):<{label_w}} {score(a.scores[k]):>{SCORE_W}} {weight(w):>{WEIGHT_W}} ", style=style)
        filled = round(w * BAR)
        row.append("█" * filled + " " * (BAR - filled) + " ", style="cyan")
        row.append("".join(f"{value(v):>{DIM_W}}" for v in a.values[k][:shown]), style="" if w else "dim")
        return row
