"""Process-wide torch setup for demos: lazy import, thread caps, seeding, warm-up."""

from __future__ import annotations

import contextlib
import gc
import os
import random
import threading
import time
from dataclasses import dataclass

MAX_THREADS = 1
"""Demos are small: one intra-op thread is fastest, and leaves the other core to the UI.

Measured under load on the 2-core machine: autoencoder and lstm-gates at 200 steps
hit the 20 s budget with 2 threads and finished in 3.1 s and 2.9 s with 1."""

_lock = threading.Lock()
_interop_set = False
_warm: WarmUp | None = None


@dataclass(frozen=True)
class WarmUp:
    """What the one-off warm-up cost in this process, in seconds."""

    import_s: float
    optimizer_s: float


def thread_count() -> int:
    """How many intra-op threads a demo gets."""
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))


def configure_threads() -> int:
    """Cap torch's thread pools for the calling thread; the inter-op pool only once per process."""
    global _interop_set
    import torch

    threads = thread_count()
    torch.set_num_threads(threads)
    with _lock:
        if not _interop_set:
            _interop_set = True
            # Raises once inter-op work has started in this process; the pool is fixed then.
            with contextlib.suppress(RuntimeError):
                torch.set_num_interop_threads(threads)
    return threads


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch and ask torch for deterministic kernels."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def warm_up() -> WarmUp:
    """Import torch and step a throwaway optimizer once per process (the first costs ~0.8 s)."""
    global _warm
    with _lock:
        if _warm is not None:
            return _warm
        start = time.perf_counter()
        import torch

        imported = time.perf_counter()
        layer = torch.nn.Linear(2, 1)
        optimizer = torch.optim.Adam(layer.parameters(), lr=0.01)
        loss = layer(torch.zeros(4, 2)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        done = time.perf_counter()
        # torch leaves ~300k long-lived objects; every full garbage collection would walk them
        # all again (50-100 ms each, several while a demo screen mounts). Frozen, it skips them.
        gc.freeze()
        _warm = WarmUp(import_s=imported - start, optimizer_s=done - imported)
        return _warm
