"""The comparison's estimates checked against published worked examples: Wilson intervals
(Newcombe 1998), Fisher's exact test (Fisher 1935's tea tasting; the dieting table of R's
fisher.test), Holm's procedure, and the Kaplan–Meier curve of the 6-MP leukaemia trial
(Freireich et al. 1963, as in R's MASS::gehan: censoring and ties)."""

from __future__ import annotations

import math

import pytest

from registry.estimates import fisher_exact, holm, kaplan_meier, wilson


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857-872, table II, method 3 (score, no
    # continuity correction).
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
     (1, 29, 0.0061, 0.1718)],
)  # fmt: skip
def test_wilson_interval_matches_newcombe_1998(count, n, low, high):
    found = wilson(count, n)
    assert found is not None
    assert (round(found[0], 4), round(found[1], 4)) == (low, high)


def test_wilson_interval_of_whole_and_empty_groups():
    assert wilson(0, 0) is None
    assert wilson(5, 5)[1] == 1.0 and round(wilson(5, 5)[0], 4) == 0.5655
    # 3 of 5 and 300 of 500: the same share, very different certainty.
    narrow, wide = wilson(300, 500), wilson(3, 5)
    assert narrow[1] - narrow[0] < 0.1 < wide[1] - wide[0]


def test_fisher_exact_two_sided_matches_published_examples():
    # Fisher's lady tasting tea: 3 of 4 cups right, two-sided p = 34/70.
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70)
    # R's fisher.test(matrix(c(1, 11, 9, 3), 2)): p = 0.002759.
    assert fisher_exact(1, 9, 11, 3) == pytest.approx(0.002759, abs=1e-6)
    assert fisher_exact(0, 0, 3, 4) == 1.0  # an empty group: nothing to test
    assert fisher_exact(2, 2, 2, 2) == pytest.approx(1.0)


def test_holm_rejects_step_by_step():
    # m = 4 at 5 %: 0.01 <= 0.0125, 0.02 > 0.05/3 stops; 0.04 is not rejected after a stop.
    assert holm([0.04, 0.01, 0.02, 0.5]) == [False, True, False, False]
    assert holm([0.001, 0.01, 0.02]) == [True, True, True]
    assert holm([]) == []


# Weeks in remission; negative: censored.
GEHAN_6MP = [6, 6, 6, -6, 7, -9, 10, -10, -11, 13, 16, -17, -19, -20, 22, 23, -25, -32, -32,
             -34, -35]  # fmt: skip


def test_kaplan_meier_with_censoring_and_ties_matches_the_6mp_trial():
    curve = kaplan_meier((abs(t), t > 0, 1) for t in GEHAN_6MP)
    assert (curve.n, curve.events) == (21, 9)
    by_time = {s.time: s for s in curve.steps}
    # Three deaths and one censoring tied at 6: all four at risk at 6.
    assert (by_time[6].at_risk, by_time[6].events, by_time[6].censored) == (21, 3, 1)
    expected = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}
    assert {t: round(by_time[t].survival, 3) for t in expected} == expected
    assert by_time[9].survival == by_time[7].survival  # a censoring does not move the curve
    # Greenwood, log-scale interval at 6 (R survfit): 0.720 to 1.
    assert (round(by_time[6].low, 3), by_time[6].high) == (0.72, 1.0)
    # R: median 23, 0.95LCL 16, 0.95UCL NA.
    assert (curve.median, curve.median_low, curve.median_high) == (23, 16, None)


def test_kaplan_meier_median_interval_of_the_control_group():
    control = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
    curve = kaplan_meier((t, True, 1) for t in control)
    assert (curve.median, curve.median_low, curve.median_high) == (8, 4, 12)  # R: 8 (4, 12)


def test_kaplan_meier_counts_grouped_observations_and_a_curve_sitting_at_one_half():
    grouped = kaplan_meier([(2, True, 2), (2, False, 1), (5, True, 1)])
    assert [round(s.survival, 3) for s in grouped.steps] == [0.5, 0.0]
    # At one half from 2 to 5: the median is the midpoint (R's convention).
    assert grouped.median == 3.5
    never = kaplan_meier([(1, True, 1), (math.inf, False, 3)])
    assert never.median is None and never.steps[-1].at_risk == 3
