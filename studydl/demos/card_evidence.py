"""`studydl check --evidence`: is each predict card's answer what its demo measures, at every draw and seed?

For every predict card, the card's `vary:` range is laid out as a small grid (each
option; each whole number of a short range, else its ends and middle; a float range's
ends and middle, to two digits as a review draws them) and each draw runs at several
seeds, with no wall-clock budget and through the home's result cache. The card's
`expect:` answer is then graded exactly as a review grades it (`settle`); each draw
where it would be graded wrong, or has no verdict, is a finding. So is a `vary:`
parameter whose every value gives the same measured metric: the learner is shown a
number that changes nothing.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studydl.decks.expect import ExpectError, evaluate
from studydl.demos.catalogue import get_spec
from studydl.demos.measure import Measurement
from studydl.demos.params import resolve_params
from studydl.demos.pool import Job, measure_all
from studydl.domain.checks import Choice, ParamRange, Prediction
from studydl.domain.demos import ParamValue
from studydl.domain.errors import DeckProblem
from studydl.engine.predict import NoVerdict, format_value, settle, two_digits

SEEDS = (0, 1, 2)
MAX_DRAWS = 48
"""The most draws of one card's grid: a finer grid that would hold more is coarsened (`draws`)."""
NO_EXPECT = (
    "no `expect:` line: add the answer the card teaches (a choice's label, or a formula of its "
    "parameters) so its evidence can be checked"
)


@dataclass(frozen=True)
class PredictCard:
    """A predict card as found in its deck file."""

    path: Path
    line: int
    name: str
    """Its `id:`, or the start of its question."""
    demo_id: str
    prediction: Prediction


@dataclass
class EvidenceReport:
    cards: int = 0
    runs: int = 0
    cached: int = 0
    findings: list[DeckProblem] = field(default_factory=list)


def _values(rng: ParamRange, level: int) -> list[ParamValue]:
    """A `vary:` range as grid values: level 0 every whole number (a float: 5 points), 1 ends and middle, 2 ends."""
    if rng.options:
        return [option == "true" if option in ("true", "false") else option for option in rng.options]
    low, high = float(rng.low or 0.0), float(rng.high or 0.0)
    if rng.integer:
        lo, hi = int(low), int(high)
        if level == 0 or hi - lo <= 2 - level:
            return list(range(lo, hi + 1))
        return [lo, (lo + hi) // 2, hi][:: 2 if level == 2 else 1]
    points = (5, 3, 2)[level]
    return sorted({min(high, max(low, two_digits(low + (high - low) * i / (points - 1)))) for i in range(points)})


def draws(prediction: Prediction) -> list[dict[str, ParamValue]]:
    """The card's grid of parameters: its `set:` values with each combination of `vary:` values,
    as fine as MAX_DRAWS allows (every whole number of a range, else its ends and middle, else its ends)."""
    for level in (0, 1, 2):
        combos = list(itertools.product(*(_values(rng, level) for rng in prediction.vary)))
        if len(combos) <= MAX_DRAWS:
            break
    combos = combos[:: max(1, math.ceil(len(combos) / MAX_DRAWS))]
    names = [rng.name for rng in prediction.vary]
    return [{**prediction.fixed, **dict(zip(names, combo, strict=True))} for combo in combos]


def _shown(params: dict[str, ParamValue]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "its defaults"


def _expected(card: PredictCard, params: dict[str, ParamValue]) -> float | Choice:
    prediction, expect = card.prediction, card.prediction.expect
    assert expect is not None
    if prediction.choices:
        return next(c for c in prediction.choices if c.label == expect)
    spec = get_spec(card.demo_id)
    return evaluate(expect, resolve_params(spec, params))


def grade(card: PredictCard, params: dict[str, ParamValue], seed: int, measured: Measurement) -> str | None:
    """What is wrong with the card's answer at this draw and seed, or None when a review grades it right."""
    prediction, where = card.prediction, f"{card.name}: seed {seed}, {_shown(params)}"
    try:
        expected = _expected(card, params)
    except ExpectError as exc:
        return f"{where}: {exc}"
    verdict = settle(prediction, expected, measured.metrics, measured.stopped)
    if isinstance(verdict, NoVerdict):
        return f"{where}: {verdict.reason}"
    if verdict.right:
        return None
    got = f"measured {prediction.metric} = {format_value(verdict.measured)}"
    if prediction.choices:
        return f"{where}: {got}, nearest {verdict.answer!r}: the card's answer {prediction.expect!r} is graded wrong"
    assert prediction.tolerance is not None and isinstance(expected, float)
    answer = format_value(expected)
    if prediction.expect != answer:
        answer = f"{prediction.expect} = {answer}"
    return f"{where}: {got}; the card's answer {answer} is off by more than {prediction.tolerance.describe()}"


def idle_params(card: PredictCard, results: dict[tuple[int, tuple], float]) -> list[str]:
    """The `vary:` parameters whose every value gives the same metric, other parameters and seed held."""
    idle = []
    for position, rng in enumerate(card.prediction.vary):
        groups: dict[tuple, list[float]] = defaultdict(list)
        for (seed, combo), value in results.items():
            groups[(seed, combo[:position] + combo[position + 1 :])].append(value)
        compared = [values for values in groups.values() if len(values) > 1]
        if compared and all(_same(values) for values in compared):
            idle.append(
                f"{card.name}: vary {rng.describe()} changes nothing: {card.prediction.metric} is "
                f"{format_value(compared[0][0])} at every {rng.name}; vary a parameter that moves the answer, or set it"
            )
    return idle


def _same(values: list[float]) -> bool:
    first = values[0]
    return all(v == first or (math.isfinite(v) and math.isclose(v, first, rel_tol=1e-9, abs_tol=1e-12)) for v in values)


def check_evidence(
    cards: Sequence[PredictCard],
    *,
    seeds: Sequence[int] = SEEDS,
    jobs: int = 2,
    cache_dir: Path | None = None,
    on_run: Callable[[int, int], None] | None = None,
) -> EvidenceReport:
    """Run every card's grid at every seed (`jobs` processes, the cache first) and collect the findings."""
    report = EvidenceReport(cards=len(cards))
    plans: list[tuple[PredictCard, dict[str, ParamValue], int]] = []
    for card in cards:
        if card.prediction.expect is None:
            report.findings.append(DeckProblem(card.path, card.line, f"{card.name}: {NO_EXPECT}"))
            continue
        plans += [(card, params, seed) for params in draws(card.prediction) for seed in seeds]
    work = {_job(card, params, seed, cache_dir): None for card, params, seed in plans}
    order = sorted(work, key=lambda job: -get_spec(job.demo_id).budget_s)  # the long runs first: two processes end together
    measured: dict[Job, Measurement] = {}
    for done, (job, measurement) in enumerate(measure_all(order, jobs), start=1):
        measured[job] = measurement
        report.cached += measurement.cached
        if on_run is not None:
            on_run(done, len(order))
    report.runs = len(order)
    by_card: dict[int, dict[tuple[int, tuple], float]] = defaultdict(dict)
    for card, params, seed in plans:
        measurement = measured[_job(card, params, seed, cache_dir)]
        problem = grade(card, params, seed, measurement)
        if problem is not None:
            report.findings.append(DeckProblem(card.path, card.line, problem))
        value = measurement.metrics.get(card.prediction.metric)
        if value is not None and measurement.stopped is None:
            combo = tuple(params[rng.name] for rng in card.prediction.vary)
            by_card[id(card)][(seed, combo)] = value
    for card in cards:
        report.findings += [DeckProblem(card.path, card.line, idle) for idle in idle_params(card, by_card[id(card)])]
    report.findings.sort(key=lambda f: (str(f.path), f.line))
    return report


def _job(card: PredictCard, params: dict[str, ParamValue], seed: int, cache_dir: Path | None) -> Job:
    return Job.of(card.demo_id, params, seed, cache_dir)
