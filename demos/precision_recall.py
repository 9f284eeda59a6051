"""Precision and recall: a classifier for a rare class, a threshold to move, and why accuracy misleads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Param,
    Progress,
    RefLine,
    Result,
    Scatter,
    Table,
)

SPEC = DemoSpec(
    id="precision-recall",
    title="Precision, recall and the threshold on imbalanced data",
    teaches=(
        "When positives are rare, a model that always says 'negative' already scores a high "
        "accuracy and finds none of them. A trained classifier's accuracy is barely higher, "
        "yet its precision, recall and F1 tell the two apart; moving the threshold trades "
        "precision for recall, and the threshold with the best F1 lies well below 0.5. Its ROC "
        "AUC looks excellent while its average precision shows how many false alarms come "
        "with each rare hit."
    ),
    concepts=("precision", "recall", "F1 score", "confusion matrix", "ROC and AUC", "class imbalance"),
    params=(
        Param("threshold", 0.5, "predict positive when the model's probability is at least this", min=0.0, max=1.0),
        Param("positives", 0.05, "share of positive examples, in training and test data", min=0.01, max=0.5),
        Param("steps", 300, "full-batch Adam steps", min=10, max=5000),
    ),
    budget_s=15.0,
    metrics=(
        ("accuracy", "share of test examples classified right at the threshold", "0..1"),
        ("precision", "TP / (TP + FP) at the threshold", "0..1"),
        ("recall", "TP / (TP + FN) at the threshold", "0..1"),
        ("f1", "harmonic mean of precision and recall at the threshold", "0..1"),
        ("baseline_accuracy", "accuracy of always predicting negative", "0..1"),
        ("roc_auc", "area under the ROC curve: P(a positive scores above a negative)", "0..1"),
        ("average_precision", "area under the precision-recall curve (average precision)", "0..1"),
        ("best_f1", "the highest F1 over all thresholds", "0..1"),
        ("best_f1_threshold", "the threshold that gives it", "0..1"),
    ),
)

TRAIN, TEST = 2000, 5000
CURVE_POINTS = 101


def draw(torch: Any, n: int, share: float, gen: Any) -> tuple[Any, Any]:
    """n points in the plane: negatives around (0, 0), a rarer, overlapping positive cloud near (1.5, 1.5)."""
    y = (torch.rand(n, generator=gen) < share).float()
    x = torch.randn(n, 2, generator=gen)
    x = torch.where(y[:, None] > 0, 1.5 + 0.8 * x, x)
    return x, y


def counts(torch: Any, scores: Any, y: Any, threshold: float) -> dict[str, float]:
    """The confusion matrix at one threshold."""
    pred = scores >= threshold
    pos = y > 0
    return {
        "tp": float((pred & pos).sum()),
        "fp": float((pred & ~pos).sum()),
        "fn": float((~pred & pos).sum()),
        "tn": float((~pred & ~pos).sum()),
    }


def rates(c: dict[str, float]) -> dict[str, float]:
    """Accuracy, precision, recall, F1 (precision is 0 when nothing is predicted positive)."""
    total = sum(c.values())
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": (c["tp"] + c["tn"]) / total, "precision": precision, "recall": recall, "f1": f1}


def ranking(torch: Any, scores: Any, y: Any) -> dict[str, Any]:
    """ROC and precision-recall curves over every threshold (scores sorted high to low), ROC AUC
    and average precision."""
    order = torch.argsort(scores, descending=True)
    hits = y[order]
    tp = hits.cumsum(0)
    fp = (1 - hits).cumsum(0)
    positives, negatives = float(hits.sum()), float((1 - hits).sum())
    tpr, fpr = tp / positives, fp / negatives
    precision = tp / (tp + fp)
    auc = float(torch.trapezoid(torch.cat([torch.zeros(1), tpr]), torch.cat([torch.zeros(1), fpr])))
    ap = float((precision * hits).sum() / positives)
    return {"tpr": tpr, "fpr": fpr, "precision": precision, "auc": auc, "ap": ap}


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train a small MLP on the imbalanced data, then read it at every threshold."""
    import torch

    p = ctx.params
    threshold, share, steps = float(p["threshold"]), float(p["positives"]), int(p["steps"])
    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    x, y = draw(torch, TRAIN, share, gen)
    x_test, y_test = draw(torch, TEST, share, gen)
    yield Scatter(
        key="data",
        title=f"Training data: {int(y.sum())} positives among {TRAIN} examples",
        series={
            "negative": (x[y == 0, 0].tolist(), x[y == 0, 1].tolist()),
            "positive": (x[y == 1, 0].tolist(), x[y == 1, 1].tolist()),
        },
    )
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(1), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 25 == 0 or step == steps:
            yield Progress(step, steps, {"loss": loss.item()})

    with torch.no_grad():
        scores = torch.sigmoid(model(x_test).squeeze(1))
    at = counts(torch, scores, y_test, threshold)
    model_rates = rates(at)
    baseline = rates(counts(torch, torch.zeros_like(scores), y_test, 0.5))
    yield Table(
        key="confusion",
        title=f"Confusion matrix on {TEST} test examples at threshold {threshold:g}",
        columns=["", "predicted positive", "predicted negative"],
        rows=[
            ["truly positive", f"{at['tp']:.0f} (TP)", f"{at['fn']:.0f} (FN)"],
            ["truly negative", f"{at['fp']:.0f} (FP)", f"{at['tn']:.0f} (TN)"],
        ],
    )
    cuts = [i / (CURVE_POINTS - 1) for i in range(CURVE_POINTS)]
    sweep = [rates(counts(torch, scores, y_test, t)) for t in cuts]
    best = max(range(1, CURVE_POINTS), key=lambda i: sweep[i]["f1"])
    yield Curves(
        key="threshold",
        title="Accuracy, precision, recall and F1 as the threshold moves",
        series={name: (cuts, [r[name] for r in sweep]) for name in ("accuracy", "precision", "recall", "f1")},
        x_label="threshold",
        y_label="score",
        y_min=0.0,
        y_max=1.0,
        refs=(
            RefLine(threshold, f"threshold {threshold:g}", axis="x"),
            RefLine(baseline["accuracy"], "accuracy of always 'negative'"),
        ),
    )
    curve = ranking(torch, scores, y_test)
    pick = [int(i * (TEST - 1) / 200) for i in range(201)]
    yield Curves(
        key="roc",
        title=f"ROC curve: AUC {curve['auc']:.3f} (random ranking: the diagonal, 0.5)",
        series={
            "model": ([float(curve["fpr"][i]) for i in pick], [float(curve["tpr"][i]) for i in pick]),
            "random": ([0.0, 1.0], [0.0, 1.0]),
        },
        x_label="false-positive rate",
        y_label="true-positive rate (recall)",
        y_min=0.0,
        y_max=1.0,
    )
    yield Curves(
        key="pr",
        title=f"Precision-recall curve: average precision {curve['ap']:.3f}",
        series={"model": ([float(curve["tpr"][i]) for i in pick], [float(curve["precision"][i]) for i in pick])},
        x_label="recall",
        y_label="precision",
        y_min=0.0,
        y_max=1.0,
        refs=(RefLine(float(y_test.mean()), "random: the positives' share"),),
    )
    yield Table(
        key="compare",
        title=f"The model at threshold {threshold:g} beside always predicting 'negative' ({float(y_test.mean()):.1%} positives)",
        columns=["classifier", "accuracy", "precision", "recall", "F1"],
        rows=[
            [name, *(f"{r[k]:.3f}" for k in ("accuracy", "precision", "recall", "f1"))]
            for name, r in (("model", model_rates), ("always negative", baseline), (f"model at {cuts[best]:.2f}", sweep[best]))
        ],
    )
    metrics = dict(model_rates) | {
        "baseline_accuracy": baseline["accuracy"],
        "roc_auc": curve["auc"],
        "average_precision": curve["ap"],
        "best_f1": sweep[best]["f1"],
        "best_f1_threshold": cuts[best],
    }
    yield Result(
        metrics,
        reached=(
            baseline["accuracy"] >= 0.9
            and sweep[50]["accuracy"] - baseline["accuracy"] < 0.05
            and sweep[best]["f1"] >= 0.4
            and cuts[best] < 0.5
            and curve["auc"] - curve["ap"] > 0.2
        ),
        summary=(
            f"Always 'negative' scores {baseline['accuracy']:.1%} accuracy and finds no positive; the model at "
            f"{threshold:g} scores {model_rates['accuracy']:.1%}, precision {model_rates['precision']:.2f}, "
            f"recall {model_rates['recall']:.2f}, F1 {model_rates['f1']:.2f}. Its best F1, {sweep[best]['f1']:.2f}, "
            f"is at threshold {cuts[best]:.2f}; ROC AUC {curve['auc']:.3f}, average precision {curve['ap']:.3f}."
        ),
    )
