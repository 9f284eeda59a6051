"""A small CNN learns to tell bars, crosses and squares apart wherever they sit in the image."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Images,
    Param,
    Progress,
    Result,
    Table,
)

SPEC = DemoSpec(
    id="cnn",
    title="A small CNN on synthetic shapes",
    teaches=(
        "A convolution slides one small kernel over every position, so a shape gives the same "
        "features wherever it sits, and global max pooling then keeps whether a feature "
        "occurred, not where: a CNN trained only on shapes in the left half of the image "
        "recognizes them in the right half, where no training shape ever was; an MLP with "
        "about 40 times the parameters, the same steps and its best learning rate, stays near "
        "chance (25 %, four classes). The shapes keep two columns clear of the image's edges, "
        "where zero padding breaks the symmetry."
    ),
    concepts=(
        "convolution",
        "weight sharing",
        "ReLU",
        "max pooling",
        "translation invariance",
        "parameters",
    ),
    params=(
        Param("steps", 200, "Adam steps for each network", min=20, max=5000),
        Param("batch", 64, "images per step", min=8, max=1024),
        Param(
            "channels",
            8,
            "kernels in the first conv layer (the second has twice as many)",
            min=2,
            max=64,
        ),
        Param("mlp_hidden", 256, "hidden units of the comparison MLP", min=8, max=2048),
        Param("noise", 0.3, "std of the pixel noise", min=0.0, max=1.0),
        Param("train_size", 2000, "training images", min=100, max=20000),
    ),
    metrics=(
        ("cnn_accuracy", "CNN accuracy on shapes where it was trained", "0..1"),
        ("mlp_accuracy", "MLP accuracy on shapes where it was trained", "0..1"),
        ("cnn_unseen_accuracy", "CNN accuracy on shapes shifted to unseen columns", "0..1"),
        ("mlp_unseen_accuracy", "MLP accuracy on shapes shifted to unseen columns", "0..1"),
        ("mlp_lr", "the learning rate chosen for the MLP", "lr"),
        ("cnn_params", "the CNN's parameters", "count"),
        ("mlp_params", "the MLP's parameters", "count"),
        ("mlp_to_cnn_params", "MLP parameters per CNN parameter", "ratio"),
    ),
)

ROWS, WIDTH = 12, 16
STAGE = 6
"""Each shape fits in a 6-column stage: columns 2-7 in training, 8-13 in the unseen test."""
MARGIN = 2
"""Columns 0-1 and 14-15 never hold a shape: at the image's edge zero padding breaks the
symmetry between positions (a shape touching the left edge only in training is recognized
less well shifted right: 66 % instead of 99 % at some seeds)."""
SHIFT = STAGE
"""The unseen test moves every shape a whole stage right: no test pixel is where a training
shape ever was."""
CLASSES = ("horizontal bar", "vertical bar", "cross", "square")
SHORT = ("h-bar", "v-bar", "cross", "square")
"""The class names where room is short (captions, table headers)."""
TEST_SIZE = 1000
UNSEEN_LEARNED = 0.85
"""The CNN recognizes shapes at unseen positions: at least this accuracy there."""
NEAR_CHANCE = 0.4
"""The MLP stays near chance there (0.25 for four classes): below this."""
EVAL_EVERY = 25
MLP_LRS = (1e-3, 3e-3, 1e-2)
"""The MLP trains once per rate on the same batches; the best on validation is the one shown."""


def make_shapes(torch: Any, n: int, noise: float, gen: Any, shift: int = 0) -> tuple[Any, Any]:
    """n noisy 12x16 images, one shape each at a random place and size within the 6 columns
    from `MARGIN` + `shift`, with their labels."""
    cls = torch.randint(0, len(CLASSES), (n,), generator=gen)
    rows = torch.arange(ROWS).view(1, ROWS, 1)
    cols = torch.arange(STAGE).view(1, 1, STAGE)

    def rand(lo: int, hi: int) -> Any:
        return torch.randint(lo, hi, (n, 1, 1), generator=gen)

    def start(span: Any) -> Any:
        """A first column from which `span` columns fit in the stage."""
        return (torch.rand(n, 1, 1, generator=gen) * (STAGE - span + 1)).floor().long()

    length = rand(4, 7)
    r, c = rand(0, ROWS), start(length)
    horizontal = (rows == r) & (cols >= c) & (cols < c + length)
    length = rand(5, 9)
    r, c = rand(0, ROWS - 8), rand(0, STAGE)
    vertical = (cols == c) & (rows >= r) & (rows < r + length)
    arm, r = rand(2, 4), rand(3, ROWS - 3)  # the vertical arm; the horizontal one is 2
    c = start(torch.full_like(arm, 5)) + 2
    cross = ((rows == r) & ((cols - c).abs() <= 2)) | ((cols == c) & ((rows - r).abs() <= arm))
    side = rand(4, 7)
    r, c = rand(0, ROWS - 6), start(side)
    inside = (rows >= r) & (rows < r + side) & (cols >= c) & (cols < c + side)
    edge = (rows == r) | (rows == r + side - 1) | (cols == c) | (cols == c + side - 1)
    square = inside & edge

    every = torch.stack([horizontal, vertical, cross, square], dim=1).float()
    clean = torch.zeros(n, ROWS, WIDTH)
    first = MARGIN + shift
    clean[:, :, first : first + STAGE] = every[torch.arange(n), cls]
    noisy = (clean + noise * torch.randn(n, ROWS, WIDTH, generator=gen)).clamp(0, 1)
    return noisy.unsqueeze(1), cls


def build_cnn(torch: Any, channels: int) -> Any:
    """conv3x3 -> ReLU -> maxpool2 -> conv3x3 -> ReLU -> global max pool -> linear."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, channels, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(channels, 2 * channels, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(2 * channels, len(CLASSES)),
    )


def build_mlp(torch: Any, hidden: int) -> Any:
    """Flatten the pixels -> hidden ReLU layer -> linear."""
    nn = torch.nn
    return nn.Sequential(
        nn.Flatten(), nn.Linear(ROWS * WIDTH, hidden), nn.ReLU(), nn.Linear(hidden, len(CLASSES))
    )


def _unit(t: Any) -> list[list[float]]:
    """A 2-D tensor rescaled to 0..1 as nested lists."""
    lo, hi = t.min(), t.max()
    return ((t - lo) / (hi - lo + 1e-8)).tolist()


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train the CNN and the MLPs on the same batches, then test both where no shape ever was."""
    import torch

    p = ctx.params
    steps, batch, noise = int(p["steps"]), int(p["batch"]), float(p["noise"])
    yield Progress(0, steps, message="drawing shapes")

    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    x_train, y_train = make_shapes(torch, int(p["train_size"]), noise, gen)
    x_val, y_val = make_shapes(torch, TEST_SIZE // 2, noise, gen)
    x_seen, y_seen = make_shapes(torch, TEST_SIZE, noise, gen)
    x_new, y_new = make_shapes(torch, TEST_SIZE, noise, gen, shift=SHIFT)
    yield Images(
        key="samples",
        title=f"Training shapes (columns {MARGIN}-{MARGIN + STAGE - 1}) and test shapes shifted {SHIFT} right",
        images=[x_train[i, 0].tolist() for i in range(4)] + [x_new[i, 0].tolist() for i in range(4)],
        captions=[f"train: {SHORT[int(y_train[i])]}" for i in range(4)]
        + [f"unseen: {SHORT[int(y_new[i])]}" for i in range(4)],
        columns=4,
    )
    cnn = build_cnn(torch, int(p["channels"]))
    mlps = [build_mlp(torch, int(p["mlp_hidden"])) for _ in MLP_LRS]
    opts = [torch.optim.Adam(cnn.parameters(), lr=0.01)] + [
        torch.optim.Adam(m.parameters(), lr=lr) for m, lr in zip(mlps, MLP_LRS, strict=True)
    ]
    nets = [cnn, *mlps]
    n_params = {"CNN": sum(t.numel() for t in cnn.parameters()), "MLP": sum(t.numel() for t in mlps[0].parameters())}

    def accuracy(net: Any, x: Any, y: Any) -> float:
        with torch.no_grad():
            return float((net(x).argmax(1) == y).float().mean())

    def best_mlp() -> int:
        return max(range(len(mlps)), key=lambda i: accuracy(mlps[i], x_val, y_val))

    xs: list[float] = []
    acc: dict[str, list[float]] = {"CNN seen": [], "CNN unseen": [], "MLP seen": [], "MLP unseen": []}
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        idx = torch.randint(0, x_train.shape[0], (batch,), generator=gen)
        xb, yb = x_train[idx], y_train[idx]
        for net, opt in zip(nets, opts, strict=True):
            loss = torch.nn.functional.cross_entropy(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        if step % EVAL_EVERY and step != steps:
            if step % 5 == 0:
                yield Progress(step, steps, {k: v[-1] for k, v in acc.items() if v})
            continue
        mlp = mlps[best_mlp()]
        for name, net in (("CNN", cnn), ("MLP", mlp)):
            acc[f"{name} seen"].append(accuracy(net, x_seen, y_seen))
            acc[f"{name} unseen"].append(accuracy(net, x_new, y_new))
        xs.append(float(step))
        yield Progress(step, steps, {k: v[-1] for k, v in acc.items()})
        yield Curves(
            key="accuracy",
            title=f"Test accuracy on {TEST_SIZE} shapes at trained positions and {TEST_SIZE} shifted right",
            series={k: (list(xs), list(v)) for k, v in acc.items()},
            y_label="accuracy",
            y_min=0.0,
            y_max=1.0,
        )

    chosen = best_mlp()
    mlp = mlps[chosen]
    yield from _insides(torch, cnn, mlp, x_new, y_new)
    yield Table(
        key="params",
        title=f"After {steps} steps on the same batches (MLP: best of lr {', '.join(f'{v:g}' for v in MLP_LRS)} on validation)",
        columns=["network", "parameters", "lr", "trained positions", "unseen positions"],
        rows=[
            ["CNN", f"{n_params['CNN']:,}", "0.01", f"{acc['CNN seen'][-1]:.1%}", f"{acc['CNN unseen'][-1]:.1%}"],
            ["MLP", f"{n_params['MLP']:,}", f"{MLP_LRS[chosen]:g}", f"{acc['MLP seen'][-1]:.1%}", f"{acc['MLP unseen'][-1]:.1%}"],
        ],
    )
    cnn_new, mlp_new = acc["CNN unseen"][-1], acc["MLP unseen"][-1]
    ratio = n_params["MLP"] / n_params["CNN"]
    yield Result(
        metrics={
            "cnn_accuracy": acc["CNN seen"][-1],
            "mlp_accuracy": acc["MLP seen"][-1],
            "cnn_unseen_accuracy": cnn_new,
            "mlp_unseen_accuracy": mlp_new,
            "mlp_lr": MLP_LRS[chosen],
            "cnn_params": float(n_params["CNN"]),
            "mlp_params": float(n_params["MLP"]),
            "mlp_to_cnn_params": ratio,
        },
        reached=cnn_new >= UNSEEN_LEARNED and mlp_new < NEAR_CHANCE and n_params["CNN"] < n_params["MLP"],
        summary=(
            f"On shapes in columns where no training shape ever was, the CNN ({n_params['CNN']:,} parameters) "
            f"scores {cnn_new:.1%}; the MLP, {ratio:.0f}x as big and at its best rate "
            f"({MLP_LRS[chosen]:g}), {mlp_new:.1%} (at trained positions: "
            f"{acc['CNN seen'][-1]:.1%} vs {acc['MLP seen'][-1]:.1%})."
        ),
    )


def _insides(torch: Any, cnn: Any, mlp: Any, x: Any, y: Any) -> Iterator[Event]:
    """Kernels, both layers' feature maps for one unseen-position image, and class scores."""
    kernels = cnn[0].weight.detach()[:, 0]
    with torch.no_grad():
        first = cnn[1](cnn[0](x[:1]))[0]
        second = cnn[4](cnn[3](cnn[2](first.unsqueeze(0))))[0]
        cnn_p = torch.softmax(cnn(x[:4]), dim=1)
        mlp_p = torch.softmax(mlp(x[:4]), dim=1)
    yield Images(
        key="kernels",
        title="First-layer 3x3 kernels (rescaled, bright = positive)",
        images=[_unit(k) for k in kernels],
        captions=[f"k{i + 1}" for i in range(kernels.shape[0])],
    )
    yield Images(
        key="feature_maps",
        title=f"An unseen-position test image ({CLASSES[int(y[0])]}) and its first-layer maps (12x16)",
        images=[x[0, 0].tolist()] + [_unit(m) for m in first],
        captions=["input"] + [f"k{i + 1}" for i in range(first.shape[0])],
    )
    yield Images(
        key="feature_maps_2",
        title="Second-layer maps of the same image (6x8 after pooling): parts combined into shapes",
        images=[_unit(m) for m in second],
        captions=[f"m{i + 1}" for i in range(second.shape[0])],
    )
    short = SHORT
    yield Table(
        key="scores",
        title="Class scores (softmax) on four unseen-position images: CNN / MLP",
        columns=["true", *short],
        rows=[
            [short[int(y[i])], *(f"{float(cnn_p[i, c]):.2f} / {float(mlp_p[i, c]):.2f}" for c in range(len(CLASSES)))]
            for i in range(4)
        ],
    )
