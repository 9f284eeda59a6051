"""Small generated data sets shared by several demos (no torch at import)."""

from __future__ import annotations

import math
from typing import Any


def spirals(torch: Any, n: int, gen: Any, arms: int = 3) -> tuple[Any, Any]:
    """n points on `arms` interleaved spiral arms in [-2, 2]², labelled by arm."""
    label = torch.randint(0, arms, (n,), generator=gen)
    r = torch.rand(n, generator=gen)
    theta = 4 * r + label * 2 * math.pi / arms + 0.15 * torch.randn(n, generator=gen)
    return 2 * torch.stack([r * torch.cos(theta), r * torch.sin(theta)], 1), label
