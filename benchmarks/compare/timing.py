"""The timing every comparison script shares: the median of repeated runs."""

from __future__ import annotations

import statistics
import time


def median_time(fn, repeat: int) -> tuple[float, object]:
    """Median wall seconds of `repeat` calls of fn, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result
