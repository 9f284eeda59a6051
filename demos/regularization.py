"""An MLP overfits 20 noisy points; L2, L1, dropout and early stopping each rein it in."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Param,
    Paths,
    Progress,
    Result,
    Table,
    Text,
)

from ._ensemble import Ensemble

SPEC = DemoSpec(
    id="regularization",
    title="Overfitting and four ways to regularize",
    teaches=(
        "A big network trained long by gradient descent on 20 noisy points drives its training "
        "error below the noise while its error on new points climbs. Three remedies, each tuned "
        "on a validation set, score lower on a test set that chose nothing: an L2 penalty, "
        "whose step multiplies every weight by (1 − 2ηλ), so all shrink and none reaches "
        "zero; an L1 penalty, whose step moves every weight ηλ toward zero whatever its size "
        "and stops it there, so most end exactly at zero; and stopping at the step that was "
        "best on validation. Dropout is shown too: on 20 points its noise can cost more than "
        "it saves."
    ),
    concepts=("overfitting", "L2 / weight decay", "L1", "dropout", "early stopping", "validation"),
    params=(
        Param("points", 20, "training points", min=5, max=500),
        Param(
            "noise",
            0.5,
            "std of the label noise (its square is the best possible MSE)",
            min=0.0,
            max=1.0,
        ),
        Param("hidden", 32, "units in each of the two hidden layers", min=4, max=256),
        Param("steps", 1500, "full-batch gradient-descent steps", min=50, max=20000),
        Param("lr", 0.05, "gradient-descent learning rate η", min=1e-4, max=0.5),
        Param("momentum", 0.9, "momentum of the gradient descent", min=0.0, max=0.99),
        Param("l2", 0.03, "L2 strength λ (λ/3 and 3λ are tried too)", min=0.0, max=1.0),
        Param("l1", 0.03, "L1 strength λ (λ/3 and 3λ are tried too)", min=0.0, max=1.0),
        Param("dropout", 0.3, "dropout probability on hidden units", min=0.0, max=0.9),
        Param(
            "patience",
            100,
            "early stopping: steps without a new best validation loss",
            min=10,
            max=5000,
        ),
    ),
    metrics=(
        *(
            (f"{m}_{kind}", f"{what}: {label}", unit)
            for m, label in (("none", "no regularization"), ("l2", "L2"), ("l1", "L1"), ("dropout", "dropout"), ("early_stopping", "early stopping"))
            for kind, what, unit in (
                ("train", "final training error", "MSE"),
                ("val", "final validation error", "MSE"),
                ("test", "held-out test error", "MSE"),
            )
        ),
        *(
            (f"{m}_{kind}", f"{what}: {label}", unit)
            for m, label in (("none", "no regularization"), ("l2", "L2"), ("l1", "L1"), ("dropout", "dropout"))
            for kind, what, unit in (
                ("best_val", "lowest validation error during training", "MSE"),
                ("near_zero", "share of the weights with |w| < 0.01", "0..1"),
                ("zero", "share of the weights exactly zero", "0..1"),
                ("weight_norm", "length of the weight vector √Σw²", "≥ 0"),
            )
        ),
        ("l2_lambda", "the L2 strength validation chose", "λ"),
        ("l1_lambda", "the L1 strength validation chose", "λ"),
        ("none_gap", "validation minus training error without regularization", "MSE"),
        ("early_stop_step", "the step early stopping kept", "steps"),
        ("noise_floor", "the error a perfect model still makes (noise variance)", "MSE"),
    ),
)

NEAR_ZERO = 0.01
"""A weight counts as near zero when |w| is below this."""
EVAL_EVERY = 10
VALIDATION, TEST = 400, 400
"""Points in the validation set (chooses λ and the early-stopping step) and the test set (chooses
nothing, scores everything)."""
SHOWN = ("none", "L2", "L1", "dropout")
"""The methods with their own curves and summary rows (L2 and L1 at the λ validation chose)."""


def target(x: Any) -> Any:
    """The true function the points are sampled from."""
    return (3 * x).sin()


def _data(torch: Any, n: int, noise: float, gen: Any) -> tuple[Any, Any]:
    """n points with x uniform on [-1, 1] and noisy labels."""
    x = torch.rand(n, 1, generator=gen) * 2 - 1
    return x, target(x) + noise * torch.randn(n, 1, generator=gen)


def members(p: dict) -> list[tuple[str, float]]:
    """(method, λ) for every network trained: none, dropout, and three strengths of L2 and of L1."""
    out = [("none", 0.0), ("dropout", 0.0)]
    for method in ("L2", "L1"):
        lam = float(p[method.lower()])
        out += [(method, lam * f) for f in (1 / 3, 1.0, 3.0)]
    return out


def _curve_frames(
    xs: list[float], hist: dict[str, tuple[list[float], list[float]]], stop: int | None
) -> Iterator[Event]:
    """Train vs validation MSE for each method, and for early stopping up to its stop."""
    for m in SHOWN:
        tr, va = hist[m]
        yield Curves(
            key=f"curves_{m}",
            title=f"{m if m != 'none' else 'no regularization'}: train vs validation MSE",
            series={"train": (xs, list(tr)), "validation": (xs, list(va))},
            y_label="MSE",
            log_y=True,
        )
    tr, va = hist["none"]
    cut = len(xs) if stop is None else xs.index(float(stop)) + 1
    yield Curves(
        key="curves_early",
        title="early stopping: the unregularized run, halted at its best validation step"
        if stop is not None
        else "early stopping: watching the unregularized run's validation loss",
        series={"train": (xs[:cut], tr[:cut]), "validation": (xs[:cut], va[:cut])},
        y_label="MSE",
        log_y=True,
    )


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train every member together; pick each penalty's λ on validation; score all on test."""
    import torch

    p = ctx.params
    steps, patience, lr = int(p["steps"]), int(p["patience"]), float(p["lr"])
    every = members(p)
    yield Progress(0, steps, message=f"sampling points and building {len(every)} MLPs")
    yield _how(p)

    gen = torch.Generator().manual_seed(ctx.seed)
    x_tr, y_tr = _data(torch, int(p["points"]), float(p["noise"]), gen)
    x_va, y_va = _data(torch, VALIDATION, float(p["noise"]), gen)
    x_te, y_te = _data(torch, TEST, float(p["noise"]), gen)
    x_grid = torch.linspace(-1, 1, 101).unsqueeze(1)
    drop = [float(p["dropout"]) if m == "dropout" else 0.0 for m, _ in every]
    net = Ensemble(torch, int(p["hidden"]), drop, gen)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=float(p["momentum"]))
    l2 = torch.tensor([lam if m == "L2" else 0.0 for m, lam in every])
    l1 = torch.tensor([lam if m == "L1" else 0.0 for m, lam in every])
    # Until validation has chosen, each penalty shows its middle strength.
    pick = {"none": 0, "dropout": 1, "L2": 3, "L1": 6}

    xs: list[float] = []
    hist_all: list[tuple[list[float], list[float]]] = [([], []) for _ in every]
    best_val, best_step, best_train = math.inf, 0, math.inf
    best_snap = net.snapshot(0)
    stop_step: int | None = None
    refresh = max(EVAL_EVERY, (steps // 8) // EVAL_EVERY * EVAL_EVERY)

    def shown_hist() -> dict[str, tuple[list[float], list[float]]]:
        return {m: hist_all[pick[m]] for m in SHOWN}

    def fits() -> Paths:
        """The true function, the training points, and the unregularized, L2 and early-stopped fits.

        Four lines and the points stay readable; L1 and dropout have their own curves.
        """
        gx = x_grid.flatten().tolist()
        with torch.no_grad():
            out = net(x_grid)[:, :, 0].tolist()
            early = net.forward_one(best_snap, x_grid).flatten().tolist()
        lines = {"true function": (gx, target(x_grid).flatten().tolist())}
        lines |= {f"{m} fit": (gx, out[pick[m]]) for m in ("none", "L2")}
        lines["early stopping fit"] = (gx, early)
        return Paths(
            key="fits",
            title="Fits on [-1, 1]: the unregularized one chases the noise",
            paths=lines,
            points={"train points": (x_tr.flatten().tolist(), y_tr.flatten().tolist())},
        )

    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        mse = ((net(x_tr, train=True) - y_tr) ** 2).mean(dim=(1, 2))
        opt.zero_grad()
        mse.sum().backward()
        opt.step()
        net.penalty_steps(lr, l2, l1)
        if step % EVAL_EVERY and step != steps:
            continue
        with torch.no_grad():
            tr = ((net(x_tr) - y_tr) ** 2).mean(dim=(1, 2)).tolist()
            va = ((net(x_va) - y_va) ** 2).mean(dim=(1, 2)).tolist()
        xs.append(float(step))
        for i in range(len(every)):
            hist_all[i][0].append(tr[i])
            hist_all[i][1].append(va[i])
        if stop_step is None:
            if va[0] < best_val:
                best_val, best_step, best_train = va[0], step, tr[0]
                best_snap = net.snapshot(0)
            elif step - best_step >= patience:
                stop_step = best_step
        yield Progress(step, steps, {f"{m}_val": va[pick[m]] for m in SHOWN})
        if step % refresh == 0 or step == steps:
            yield from _curve_frames(xs, shown_hist(), stop_step)
            yield fits()

    # Validation chooses each penalty's strength; the test set has chosen nothing.
    for method, first in (("L2", 2), ("L1", 5)):
        pick[method] = min(range(first, first + 3), key=lambda i: _finite_or_inf(hist_all[i][1][-1]))
    yield from _curve_frames(xs, shown_hist(), stop_step)
    yield fits()
    yield _lambda_table(every, hist_all, pick)
    yield from _verdict(torch, p, net, every, pick, shown_hist(), (x_te, y_te), (best_snap, best_step, best_train, best_val))


def _how(p: dict) -> Text:
    """What each network does at every step, in formulas."""
    lr = float(p["lr"])
    return Text(
        key="how",
        title="How the penalties act",
        body=(
            f"Every network takes the same gradient-descent step on its training error (η = {lr:g}, "
            f"momentum {float(p['momentum']):g}). Then its penalty takes its own step, apart from "
            "the gradient's (decoupled, as AdamW does for L2):\n"
            "  L2, λ·Σw²:  w ← w·(1 − 2ηλ). Big weights lose more; no weight reaches zero.\n"
            "  L1, λ·Σ|w|: w moves ηλ toward zero whatever its size, and stops at zero.\n"
            f"Each penalty tries λ/3, λ and 3λ (L2 λ = {float(p['l2']):g}, L1 λ = {float(p['l1']):g}) "
            f"and keeps the one with the lowest validation error; the {TEST} test points choose nothing."
        ),
    )


def _finite_or_inf(value: float) -> float:
    """A diverged run's NaN validation error ranks last."""
    return value if math.isfinite(value) else math.inf


def _lambda_table(
    every: list[tuple[str, float]], hist_all: list[tuple[list[float], list[float]]], pick: dict[str, int]
) -> Table:
    """Each penalty's three strengths with their final validation error; the lowest is kept."""
    rows = []
    for method in ("L2", "L1"):
        for i, (m, lam) in enumerate(every):
            if m == method:
                rows.append([method, f"{lam:.3g}", f"{hist_all[i][1][-1]:.4f}", "kept" if i == pick[method] else ""])
    return Table(
        key="lambdas",
        title="Each penalty's strength λ, chosen on validation (never on test)",
        columns=["penalty", "λ", "validation MSE", ""],
        rows=rows,
    )


def _verdict(
    torch: Any,
    p: dict,
    net: Ensemble,
    every: list[tuple[str, float]],
    pick: dict[str, int],
    hist: dict[str, tuple[list[float], list[float]]],
    test_set: tuple[Any, Any],
    early: tuple[list[Any], int, float, float],
) -> Iterator[Event]:
    """Score every method on the test set, look at the weights, and say whether the point holds."""
    x_te, y_te = test_set
    best_snap, best_step, best_train, best_val = early
    with torch.no_grad():
        test_all = ((net(x_te) - y_te) ** 2).mean(dim=(1, 2)).tolist()
        early_test = float(((net.forward_one(best_snap, x_te) - y_te) ** 2).mean())
    final = {m: (hist[m][0][-1], hist[m][1][-1]) for m in SHOWN}
    final["early stopping"] = (best_train, best_val)
    tests = {m: test_all[pick[m]] for m in SHOWN} | {"early stopping": early_test}
    flat = {m: net.flat_weights(pick[m]) for m in SHOWN}
    near_zero = {m: float((w.abs() < NEAR_ZERO).float().mean()) for m, w in flat.items()}
    zero = {m: float((w == 0).float().mean()) for m, w in flat.items()}
    norm = {m: float(w.norm()) for m, w in flat.items()}
    metrics: dict[str, float] = {}
    for m, (tr_f, va_f) in final.items():
        key = m.lower().replace(" ", "_")
        metrics |= {f"{key}_train": tr_f, f"{key}_val": va_f, f"{key}_test": tests[m]}
        if m in hist:
            metrics |= {
                f"{key}_best_val": min(hist[m][1]),
                f"{key}_near_zero": near_zero[m],
                f"{key}_zero": zero[m],
                f"{key}_weight_norm": norm[m],
            }
    metrics |= {"l2_lambda": every[pick["L2"]][1], "l1_lambda": every[pick["L1"]][1]}
    metrics["none_gap"] = final["none"][1] - final["none"][0]
    metrics["early_stop_step"] = float(best_step)
    metrics["noise_floor"] = float(p["noise"]) ** 2

    label = {"L2": f"L2 (λ {metrics['l2_lambda']:.3g})", "L1": f"L1 (λ {metrics['l1_lambda']:.3g})"}
    yield Table(
        key="summary",
        title=f"After {p['steps']} steps (noise floor σ² = {metrics['noise_floor']:.3f})",
        columns=["method", "train MSE", "val MSE", "test MSE", "|w| = 0", f"|w| < {NEAR_ZERO:g}", "√Σw²"],
        rows=[
            [
                label.get(m, m) if m != "early stopping" else f"early stop ({best_step})",
                f"{tr_f:.4f}",
                f"{va_f:.4f}",
                f"{tests[m]:.4f}",
                *((f"{zero[m]:.0%}", f"{near_zero[m]:.0%}", f"{norm[m]:.1f}") if m in zero else ("", "", "")),
            ]
            for m, (tr_f, va_f) in final.items()
        ],
    )
    yield Curves(
        key="weights",
        title="Every weight's |w|, largest first: L2 lowers them all, L1 sends most to zero",
        series={
            m: ([float(k + 1) for k in range(len(ranked))], [max(v, 1e-6) for v in ranked])
            for m, w in flat.items()
            if (ranked := sorted(w.abs().tolist(), reverse=True))
        },
        x_label="weight (ranked; zero drawn at 1e-6)",
        y_label="|w|",
        log_y=True,
    )
    none_tr, none_te = final["none"][0], tests["none"]
    better = [m for m in tests if m != "none" and tests[m] < none_te]
    reached = (
        none_te > 2 * none_tr
        and {"L2", "L1", "early stopping"} <= set(better)
        and zero["L1"] > 0.5
        and zero["L2"] == 0.0
        and norm["L2"] < norm["none"]
    )
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"Unregularized: train {none_tr:.4f} vs test {none_te:.4f}. Lower test error with "
            f"{', '.join(better) or 'none of them'}: "
            + ", ".join(f"{label.get(m, m)} {tests[m]:.4f}" for m in tests if m != "none")
            + f". L2 shrank the weights (√Σw² {norm['L2']:.1f} against {norm['none']:.1f}) and "
            f"zeroed {zero['L2']:.0%}; L1 left {zero['L1']:.0%} exactly at zero."
        ),
    )
