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
        "Convolutions share one small kernel across every position and pooling discards where "
        "a feature was, so a CNN with about 1,300 parameters recognizes shapes anywhere in "
        "the image, better than an MLP with 30 times as many."
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
)

SIZE = 12
CLASSES = ("horizontal bar", "vertical bar", "cross", "square")
TEST_SIZE = 1000
EVAL_EVERY = 25


def make_shapes(torch: Any, n: int, noise: float, gen: Any) -> tuple[Any, Any]:
    """n noisy 12x12 images, one shape each at a random place and size, with their labels."""
    cls = torch.randint(0, len(CLASSES), (n,), generator=gen)
    rows = torch.arange(SIZE).view(1, SIZE, 1)
    cols = torch.arange(SIZE).view(1, 1, SIZE)

    def rand(lo: int, hi: int) -> Any:
        return torch.randint(lo, hi, (n, 1, 1), generator=gen)

    length = rand(5, 9)
    r, c = rand(0, SIZE), rand(0, SIZE - 8)
    horizontal = (rows == r) & (cols >= c) & (cols < c + length)
    r, c = rand(0, SIZE - 8), rand(0, SIZE)
    vertical = (cols == c) & (rows >= r) & (rows < r + length)
    arm, r, c = rand(2, 4), rand(3, SIZE - 3), rand(3, SIZE - 3)
    cross = ((rows == r) & ((cols - c).abs() <= arm)) | ((cols == c) & ((rows - r).abs() <= arm))
    side, r, c = rand(4, 7), rand(0, SIZE - 6), rand(0, SIZE - 6)
    inside = (rows >= r) & (rows < r + side) & (cols >= c) & (cols < c + side)
    edge = (rows == r) | (rows == r + side - 1) | (cols == c) | (cols == c + side - 1)
    square = inside & edge

    every = torch.stack([horizontal, vertical, cross, square], dim=1).float()
    clean = every[torch.arange(n), cls]
    noisy = (clean + noise * torch.randn(n, SIZE, SIZE, generator=gen)).clamp(0, 1)
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
        nn.Flatten(), nn.Linear(SIZE * SIZE, hidden), nn.ReLU(), nn.Linear(hidden, len(CLASSES))
    )


def _unit(t: Any) -> list[list[float]]:
    """A 2-D tensor rescaled to 0..1 as nested lists."""
    lo, hi = t.min(), t.max()
    return ((t - lo) / (hi - lo + 1e-8)).tolist()


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train the CNN and the MLP on the same batches, then show what the CNN learned."""
    import torch

    p = ctx.params
    steps, batch, noise = int(p["steps"]), int(p["batch"]), float(p["noise"])
    yield Progress(0, steps, message="drawing shapes")

    gen = torch.Generator().manual_seed(ctx.seed)
    x_train, y_train = make_shapes(torch, int(p["train_size"]), noise, gen)
    x_test, y_test = make_shapes(torch, TEST_SIZE, noise, gen)
    yield Images(
        key="samples",
        title="Training images (12x12, random position and size, noisy)",
        images=[x_train[i, 0].tolist() for i in range(8)],
        captions=[CLASSES[int(y_train[i])] for i in range(8)],
    )
    nets = {
        "CNN": build_cnn(torch, int(p["channels"])),
        "MLP": build_mlp(torch, int(p["mlp_hidden"])),
    }
    lrs = {"CNN": 0.01, "MLP": 0.003}
    opts = {k: torch.optim.Adam(n.parameters(), lr=lrs[k]) for k, n in nets.items()}
    n_params = {k: sum(t.numel() for t in n.parameters()) for k, n in nets.items()}
    xs: list[float] = []
    acc: dict[str, list[float]] = {k: [] for k in nets}

    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        idx = torch.randint(0, x_train.shape[0], (batch,), generator=gen)
        xb, yb = x_train[idx], y_train[idx]
        for k, net in nets.items():
            loss = torch.nn.functional.cross_entropy(net(xb), yb)
            opts[k].zero_grad()
            loss.backward()
            opts[k].step()
        if step % 5 == 0 and step % EVAL_EVERY:
            yield Progress(step, steps, {f"{k}_acc": v[-1] for k, v in acc.items() if v})
        if step % EVAL_EVERY and step != steps:
            continue
        with torch.no_grad():
            for k, net in nets.items():
                acc[k].append(float((net(x_test).argmax(1) == y_test).float().mean()))
        xs.append(float(step))
        yield Progress(step, steps, {f"{k}_acc": v[-1] for k, v in acc.items()})
        yield Curves(
            key="accuracy",
            title=f"Test accuracy on {TEST_SIZE} new images",
            series={f"{k} ({n_params[k]:,} params)": (list(xs), list(v)) for k, v in acc.items()},
            y_label="accuracy",
        )

    cnn = nets["CNN"]
    kernels = cnn[0].weight.detach()[:, 0]
    with torch.no_grad():
        maps = cnn[1](cnn[0](x_test[:1]))[0]
    yield Images(
        key="kernels",
        title="First-layer 3x3 kernels (rescaled, bright = positive)",
        images=[_unit(k) for k in kernels],
        captions=[f"k{i + 1}" for i in range(kernels.shape[0])],
    )
    yield Images(
        key="feature_maps",
        title=f"A test image ({CLASSES[int(y_test[0])]}) and its first-layer feature maps",
        images=[x_test[0, 0].tolist()] + [_unit(m) for m in maps],
        captions=["input"] + [f"k{i + 1}" for i in range(maps.shape[0])],
    )
    yield Table(
        key="params",
        title=f"After {steps} steps on the same batches",
        columns=["network", "parameters", "test accuracy"],
        rows=[[k, f"{n_params[k]:,}", f"{acc[k][-1]:.1%}"] for k in nets],
    )
    cnn_acc, mlp_acc = acc["CNN"][-1], acc["MLP"][-1]
    ratio = n_params["MLP"] / n_params["CNN"]
    yield Result(
        metrics={
            "cnn_accuracy": cnn_acc,
            "mlp_accuracy": mlp_acc,
            "cnn_params": float(n_params["CNN"]),
            "mlp_params": float(n_params["MLP"]),
            "mlp_to_cnn_params": ratio,
        },
        reached=cnn_acc >= 0.95 and n_params["CNN"] < n_params["MLP"],
        summary=(
            f"The CNN reaches {cnn_acc:.1%} test accuracy with {n_params['CNN']:,} parameters; "
            f"the MLP, with {ratio:.0f}x as many ({n_params['MLP']:,}), reaches {mlp_acc:.1%}."
        ),
    )
