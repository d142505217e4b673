"""The statistics behind the referral reports: pure, no Django, no database.

- :func:`median` and :func:`percentile` of a list of numbers (waiting times in
  days). Percentiles interpolate linearly between the two nearest ranks — the
  usual definition (Hyndman and Fan's type 7, numpy's and R's default): the
  p-th percentile of ``x[0] <= … <= x[n-1]`` is read at rank ``(n - 1) * p``.
- :func:`paired_change`: the mean of after-minus-before differences of the
  same people, its standard deviation and a confidence interval from the t
  distribution with ``n - 1`` degrees of freedom (a paired t interval).
- :func:`is_small`: a count too small to publish (1 to 4). Zero is shown: it
  says nothing about anyone. :func:`to_hide`: which cells of a row of counts
  with a published total to hide so that no small one can be worked out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as scipy_stats

#: Counts under this (except 0) are shown as "fewer than 5"; paired analyses need this many pairs.
SMALLEST = 5


def is_small(count: int) -> bool:
    """Whether a count must be hidden: 1 to ``SMALLEST - 1``."""
    return 0 < count < SMALLEST


def to_hide(counts: Sequence[int]) -> list[bool]:
    """Which of counts whose total is published to hide: the small ones and, when only one
    is small, the smallest other count above 0 as well, so the total minus the shown ones
    does not give the small one away (complementary suppression)."""
    hide = [is_small(n) for n in counts]
    if sum(hide) == 1:
        others = [(n, i) for i, n in enumerate(counts) if not hide[i] and n > 0]
        if others:
            hide[min(others)[1]] = True
    return hide


def percentile(values: Sequence[float], p: float) -> float | None:
    """The ``p``-th percentile (0 to 100) by linear interpolation; None for no values."""
    if not 0 <= p <= 100:
        raise ValueError("A percentile runs from 0 to 100.")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    below = math.floor(rank)
    above = min(below + 1, len(ordered) - 1)
    fraction = rank - below
    return ordered[below] + (ordered[above] - ordered[below]) * fraction


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


@dataclass(frozen=True)
class PairedChange:
    """How much the same people's scores moved between two occasions."""

    pairs: int
    mean: float
    #: Standard deviation of the differences (n - 1 in the denominator).
    sd: float
    #: The confidence interval of the mean change; None with fewer than two pairs.
    low: float | None
    high: float | None
    confidence: float


def paired_change(
    before: Sequence[float], after: Sequence[float], *, confidence: float = 0.95
) -> PairedChange | None:
    """After minus before, pair by pair (same position, same person); None for no pairs."""
    if len(before) != len(after):
        raise ValueError("Each person needs a value before and a value after.")
    return change_of([b - a for a, b in zip(before, after, strict=True)], confidence=confidence)


def change_of(changes: Sequence[float], *, confidence: float = 0.95) -> PairedChange | None:
    """The mean of the differences with its t interval; None for no differences."""
    n = len(changes)
    if n == 0:
        return None
    mean = math.fsum(changes) / n
    if n == 1:
        return PairedChange(pairs=1, mean=mean, sd=math.nan, low=None, high=None,
                            confidence=confidence)  # fmt: skip
    sd = math.sqrt(math.fsum((c - mean) ** 2 for c in changes) / (n - 1))
    t = float(scipy_stats.t.ppf((1 + confidence) / 2, n - 1))
    half = t * sd / math.sqrt(n)
    return PairedChange(
        pairs=n, mean=mean, sd=sd, low=mean - half, high=mean + half, confidence=confidence
    )
