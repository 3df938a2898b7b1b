"""The statistics behind the comparison's uncertainty: Wilson intervals for shares, Fisher's
exact test with Holm's adjustment, and the Kaplan–Meier estimate of time to an event.

Pure functions of counts, no dependency: scipy would give `fisher_exact` and `ecdf` but weighs
about 40 MB for some forty lines here, and lifelines brings pandas and matplotlib. Each function
is checked in tests/test_stats_estimates.py against a published worked example.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval (without continuity correction) of the share count / n;
    None for an empty group. Newcombe (1998), Statistics in Medicine 17:857–872, method 3."""
    if n <= 0:
        return None
    p = count / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return low, high


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on the table [[a, b], [c, d]]: the probability,
    with the margins fixed, of a table no more likely than the one observed (the definition
    R's fisher.test uses, with the same relative tolerance of 1e-7)."""
    row, col, total = a + b, a + c, a + b + c + d
    if total == 0 or row in (0, total) or col in (0, total):
        return 1.0
    low, high = max(0, row + col - total), min(row, col)
    base = _log_choose(total, col)

    def log_p(x: int) -> float:
        return _log_choose(row, x) + _log_choose(total - row, col - x) - base

    observed = log_p(a)
    bound = observed + math.log1p(1e-7)
    p = sum(math.exp(log_p(x)) for x in range(low, high + 1) if log_p(x) <= bound)
    return min(1.0, p)


def holm(p_values: Sequence[float], alpha: float = 0.05) -> list[bool]:
    """Which hypotheses Holm's step-down procedure rejects at family-wise level `alpha`
    (Holm 1979), in the order given."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    m = len(p_values)
    for rank, i in enumerate(order):
        if p_values[i] > alpha / (m - rank):
            break
        rejected[i] = True
    return rejected


@dataclass(frozen=True)
class Step:
    """The curve after `time`: at risk just before it, events and censorings at it, the
    estimate and its pointwise 95 % interval."""

    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    low: float
    high: float


@dataclass(frozen=True)
class Curve:
    n: int
    events: int
    steps: list[Step]  # one per distinct time with an event or a censoring, ascending
    median: float | None  # None: the curve never falls to one half
    median_low: float | None
    median_high: float | None  # None: not reached within the data


def _first_below_half(times: list[float], values: list[float]) -> float | None:
    """The first time the step function falls to one half or below; when it sits exactly at
    one half, the midpoint to the next time (R's survival package, `minmin`)."""
    tolerance = 1e-9
    for i, (time, value) in enumerate(zip(times, values, strict=True)):
        if value < 0.5 - tolerance:
            return time
        if abs(value - 0.5) <= tolerance:
            later = [t for t, v in zip(times[i + 1 :], values[i + 1 :], strict=True) if v < value]
            return (time + later[0]) / 2 if later else time
    return None


def kaplan_meier(observations: Iterable[tuple[float, bool, int]], z: float = Z95) -> Curve:
    """The Kaplan–Meier estimate from (time, event, how many) triples, with Greenwood's
    variance and the interval on the log scale (R survfit's default, conf.type = "log"); the
    median's interval is where the pointwise bands cross one half (Brookmeyer and Crowley 1982).

    An event and a censoring at the same time: the censored are counted at risk at that time
    (the usual convention). A censoring time of `math.inf` keeps the record at risk to the end.
    """
    events: dict[float, int] = {}
    censored: dict[float, int] = {}
    n = 0
    for time, event, count in observations:
        if count <= 0:
            continue
        n += count
        target = events if event else censored
        target[time] = target.get(time, 0) + count
    at_risk = n
    survival, greenwood = 1.0, 0.0
    steps: list[Step] = []
    for time in sorted(set(events) | set(censored)):
        d, c = events.get(time, 0), censored.get(time, 0)
        if d:
            survival *= 1 - d / at_risk
            greenwood = greenwood + d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
        if survival <= 0 or math.isinf(greenwood):
            low = high = survival
        else:
            spread = math.exp(z * math.sqrt(greenwood))
            low, high = survival / spread, min(1.0, survival * spread)
        steps.append(Step(time, at_risk, d, c, survival, low, high))
        at_risk -= d + c
    event_steps = [s for s in steps if s.events]
    times = [s.time for s in event_steps]
    return Curve(
        n=n,
        events=sum(events.values()),
        steps=steps,
        median=_first_below_half(times, [s.survival for s in event_steps]),
        median_low=_first_below_half(times, [s.low for s in event_steps]),
        median_high=_first_below_half(times, [s.high for s in event_steps]),
    )
