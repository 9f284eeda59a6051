"""Convolution arithmetic: the sliding dot product, and output sizes from stride, padding, pooling."""

from __future__ import annotations

from collections.abc import Iterator

from studydl.domain.demos import (
    ConvInspect,
    DemoContext,
    DemoSpec,
    Event,
    Heatmap,
    Param,
    Progress,
    Result,
    Table,
    Text,
)

KERNELS: dict[str, list[list[float]]] = {
    "vertical-edge": [[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]],
    "horizontal-edge": [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -1.0, -1.0]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]],
}

SPEC = DemoSpec(
    id="conv-arithmetic",
    title="Convolution arithmetic: slide, multiply, add; then pool",
    teaches=(
        "A convolution slides its kernel over the input and writes one dot product per "
        "position, so an n×n input with a k×k kernel, stride s and padding p gives "
        "⌊(n + 2p − k)/s⌋ + 1 outputs per side; w×w max pooling with stride w keeps the "
        "largest value of each window and divides the size by w."
    ),
    concepts=("convolution", "kernel", "stride", "padding", "feature map", "pooling"),
    params=(
        Param("size", 8, "input height and width n", min=3, max=16),
        Param("kernel", "vertical-edge", "the 3×3 filter", choices=tuple(KERNELS)),
        Param("stride", 1, "step s of the kernel, in pixels", min=1, max=4),
        Param("padding", 0, "zero border p added on every side", min=0, max=3),
        Param("pool", 2, "max-pooling window and stride w (1 = no pooling)", min=1, max=4),
    ),
    budget_s=10.0,
    metrics=(
        ("output_size", "side of the convolution's output", "pixels"),
        ("pooled_size", "side of the output after pooling", "pixels"),
        ("max_abs_diff_conv", "largest gap between the hand-computed and torch's convolution", "≥ 0"),
        ("max_abs_diff_pool", "largest gap between the hand-computed and torch's pooling", "≥ 0"),
        ("sizes_match", "1 if the output-size formula matched torch for every case", "0 or 1"),
    ),
)

EXAMPLES = ((28, 5, 1, 0), (28, 3, 1, 1), (32, 3, 2, 1), (7, 3, 2, 0), (224, 7, 2, 3))
"""(n, k, s, p) cases worked out in the size table, next to the chosen one."""


def out_size(n: int, k: int, s: int, p: int) -> int:
    """Outputs per side of a convolution: ⌊(n + 2p − k)/s⌋ + 1."""
    return (n + 2 * p - k) // s + 1


def picture(n: int) -> list[list[float]]:
    """A 'T' on a dark background, scaled to n×n: vertical and horizontal edges to find."""
    image = [[0.0] * n for _ in range(n)]
    bar = max(1, n // 4)
    top = max(1, n // 6)
    for i in range(top, top + bar):
        for j in range(1, n - 1):
            image[i][j] = 1.0
    left = (n - bar) // 2
    for i in range(top + bar, n - 1):
        for j in range(left, left + bar):
            image[i][j] = 1.0
    return image


def slide(
    image: list[list[float]], kernel: list[list[float]], stride: int
) -> Iterator[list[float]]:
    """Rows of the output, each value the sum of kernel × window at one position (by hand)."""
    k = len(kernel)
    n = len(image)
    for top in range(0, n - k + 1, stride):
        yield [
            sum(kernel[a][b] * image[top + a][left + b] for a in range(k) for b in range(k))
            for left in range(0, n - k + 1, stride)
        ]


def max_pool(grid: list[list[float]], w: int) -> list[list[float]]:
    """The largest value of each w×w window, windows stepping by w (a partial edge is dropped)."""
    rows = len(grid) // w
    cols = (len(grid[0]) if grid else 0) // w
    return [
        [max(grid[i * w + a][j * w + b] for a in range(w) for b in range(w)) for j in range(cols)]
        for i in range(rows)
    ]


def pad(image: list[list[float]], p: int) -> list[list[float]]:
    """A zero border of width p on every side."""
    n = len(image)
    blank = [0.0] * (n + 2 * p)
    return (
        [blank[:] for _ in range(p)]
        + [[0.0] * p + row + [0.0] * p for row in image]
        + [blank[:] for _ in range(p)]
    )


def _window_text(
    padded: list[list[float]],
    kernel: list[list[float]],
    at: tuple[int, int],
    stride: int,
    value: float,
) -> str:
    """The products of one window, written out, and their sum."""
    i, j = at
    top, left = i * stride, j * stride
    k = len(kernel)
    lines = [
        f"Output ({i}, {j}) reads input rows {top}–{top + k - 1}, columns {left}–{left + k - 1} "
        "(padded coordinates):",
        "",
    ]
    for a in range(k):
        terms = "  ".join(f"{kernel[a][b]:+.2f}×{padded[top + a][left + b]:.0f}" for b in range(k))
        lines.append(f"    {terms}")
    lines += ["", f"sum of the {k * k} products = {value:.3g}"]
    return "\n".join(lines)


def _heatmap(
    key: str, title: str, grid: list[list[float]], row0: int = 0, edge: float | None = None
) -> Heatmap:
    """`edge`: colour on the fixed scale -edge..edge (shared with another map), else from the data."""
    return Heatmap(
        key=key,
        title=title,
        v_min=None if edge is None else -edge,
        v_max=edge,
        values=[[round(v, 4) for v in row] for row in grid],
        row_labels=[f"r{row0 + i}" for i in range(len(grid))],
        col_labels=[f"c{j}" for j in range(len(grid[0]) if grid else 0)],
    )


def run(ctx: DemoContext) -> Iterator[Event]:
    """Compute the feature map by hand row by row, check it against torch, then pool it."""
    import torch
    import torch.nn.functional as F

    p = ctx.params
    n, s, pd, w = int(p["size"]), int(p["stride"]), int(p["padding"]), int(p["pool"])
    kernel = KERNELS[str(p["kernel"])]
    k = len(kernel)
    m = out_size(n, k, s, pd)
    yield Progress(0, m, message=f"⌊({n} + 2·{pd} − {k})/{s}⌋ + 1 = {m} outputs per side")

    image = picture(n)
    padded = pad(image, pd)
    yield _heatmap("input", f"Input {n}×{n}" + (f", zero-padded by {pd}" if pd else ""), padded)
    yield _heatmap("kernel", f"Kernel ({p['kernel']}) {k}×{k}", kernel)

    rows: list[list[float]] = []
    for r, row in enumerate(slide(padded, kernel, s)):
        if ctx.should_stop():
            return
        rows.append(row)
        yield Progress(r + 1, m, message=f"output row {r} of {m}")
        yield _heatmap("feature", f"Feature map {m}×{m} (stride {s}): rows 0–{r} so far", rows)

    # torch's convolution on the same numbers (cross-correlation, like every DL library).
    x = torch.tensor(image, dtype=torch.float64).reshape(1, 1, n, n)
    weight = torch.tensor(kernel, dtype=torch.float64).reshape(1, 1, k, k)
    reference = F.conv2d(x, weight, stride=s, padding=pd)[0, 0]
    by_hand = torch.tensor(rows, dtype=torch.float64).reshape(m, m)
    conv_diff = float((reference - by_hand).abs().max())

    at = max(((i, j) for i in range(m) for j in range(m)), key=lambda ij: abs(rows[ij[0]][ij[1]]))
    yield Text(
        key="window",
        title="One position of the sliding dot product",
        body=_window_text(padded, kernel, at, s, rows[at[0]][at[1]]),
    )
    yield ConvInspect(
        key="step-through",
        title=f"Step through the convolution: each output cell of the {m}×{m} map",
        image=image,
        kernels=[kernel],
        outputs=[reference.tolist()],  # torch's conv2d, not the hand-computed rows
        names=[str(p["kernel"])],
        stride=s,
        padding=pd,
        at=at,
    )
    yield _heatmap("feature", f"Feature map {m}×{m}: stride {s}, padding {pd}", rows)

    pooling = 1 < w <= m
    pooled = max_pool(rows, w) if pooling else rows
    pool_ref = F.max_pool2d(reference.reshape(1, 1, m, m), w)[0, 0] if pooling else reference
    pool_diff = float((pool_ref - torch.tensor(pooled, dtype=torch.float64)).abs().max())
    if pooling:
        size = len(pooled)
        edge = max((abs(v) for row in rows for v in row), default=1.0) or 1.0
        yield _heatmap(
            "pooled",
            f"{w}×{w} max pooling: {m}×{m} → {size}×{size} (the feature map's colours)",
            pooled,
            edge=edge,
        )

    checks = [(n, k, s, pd), *EXAMPLES]
    table_rows = []
    sizes_match = True
    for cn, ck, cs, cp in checks:
        formula = out_size(cn, ck, cs, cp)
        shape = F.conv2d(
            torch.zeros(1, 1, cn, cn), torch.zeros(1, 1, ck, ck), stride=cs, padding=cp
        )
        actual = int(shape.shape[-1])
        pooled_size = int(F.max_pool2d(shape, 2).shape[-1]) if actual >= 2 else 0
        sizes_match &= formula == actual and pooled_size == formula // 2
        table_rows.append(
            [
                f"{cn}, {ck}, {cs}, {cp}",
                f"⌊({cn}+{2 * cp}−{ck})/{cs}⌋+1 = {formula}",
                actual,
                pooled_size,
            ]
        )
    yield Table(
        key="sizes",
        title="Output size: formula vs torch (first row: this run)",
        columns=["n, k, s, p", "formula", "torch", "after 2×2 pool"],
        rows=table_rows,
    )

    reached = conv_diff < 1e-9 and pool_diff < 1e-9 and sizes_match
    yield Result(
        metrics={
            "output_size": float(m),
            "pooled_size": float(len(pooled)),
            "max_abs_diff_conv": conv_diff,
            "max_abs_diff_pool": pool_diff,
            "sizes_match": float(sizes_match),
        },
        reached=reached,
        summary=(
            f"{m * m} dot products by hand equal torch's conv2d (largest difference "
            f"{conv_diff:.1g}); {n}×{n} with k={k}, s={s}, p={pd} gives {m}×{m}"
            + (f", and {w}×{w} pooling {len(pooled)}×{len(pooled)}." if pooling else ".")
        ),
    )
