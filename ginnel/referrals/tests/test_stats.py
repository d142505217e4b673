"""The report statistics against examples worked by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ginnel.referrals.stats import (
    change_of,
    is_small,
    median,
    paired_change,
    percentile,
    to_hide,
)


def test_the_median_of_an_odd_list_is_its_middle_value():
    assert median([7, 1, 3]) == 3


def test_the_median_of_an_even_list_is_halfway_between_the_middle_two():
    # 1 2 | 4 10 → (2 + 4) / 2 = 3
    assert median([10, 2, 4, 1]) == 3


def test_the_90th_percentile_interpolates_between_the_nearest_ranks():
    # 1..10: rank (10 - 1) × 0.9 = 8.1 → x[8] + 0.1 × (x[9] − x[8]) = 9 + 0.1 = 9.1
    assert percentile(list(range(1, 11)), 90) == pytest.approx(9.1)
    # 2, 4, 8: rank 2 × 0.9 = 1.8 → 4 + 0.8 × (8 − 4) = 7.2
    assert percentile([8, 2, 4], 90) == pytest.approx(7.2)


def test_one_value_is_its_own_median_and_percentile_and_none_has_neither():
    assert median([5]) == 5
    assert percentile([5], 90) == 5
    assert median([]) is None


def test_a_percentile_outside_0_to_100_is_refused():
    with pytest.raises(ValueError, match="0 to 100"):
        percentile([1, 2], 101)


def test_the_paired_change_of_one_to_five_has_the_worked_interval():
    # mean 3; deviations −2 −1 0 1 2, squares sum 10, sd = √(10 / 4) = 1.5811;
    # se = 1.5811 / √5 = 0.7071; t(0.975, 4) = 2.7764; half width 1.9632;
    # interval 3 ± 1.9632 = [1.0368, 4.9632].
    found = change_of([1, 2, 3, 4, 5])
    assert found is not None
    assert found.pairs == 5
    assert found.mean == pytest.approx(3)
    assert found.sd == pytest.approx(1.5811, abs=1e-4)
    assert found.low == pytest.approx(1.0368, abs=1e-4)
    assert found.high == pytest.approx(4.9632, abs=1e-4)


def test_a_paired_change_is_after_minus_before():
    # before 5 6 4, after 7 7 7 → changes 2 1 3: mean 2, sd 1, se 1/√3 = 0.5774;
    # t(0.975, 2) = 4.3027; half width 2.4841 → [−0.4841, 4.4841].
    found = paired_change([5, 6, 4], [7, 7, 7])
    assert found is not None
    assert found.mean == pytest.approx(2)
    assert found.sd == pytest.approx(1)
    assert found.low == pytest.approx(-0.4841, abs=1e-4)
    assert found.high == pytest.approx(4.4841, abs=1e-4)


def test_one_pair_has_a_mean_but_no_interval_and_no_pairs_have_nothing():
    one = change_of([2])
    assert one is not None
    assert one.mean == 2
    assert one.low is None
    assert one.high is None
    assert change_of([]) is None


def test_before_and_after_must_pair_up():
    with pytest.raises(ValueError, match="before and a value after"):
        paired_change([1, 2], [3])


def test_counts_of_one_to_four_are_small_and_zero_and_five_are_not():
    assert [is_small(n) for n in (0, 1, 4, 5, 50)] == [False, True, True, False, False]


def test_one_small_cell_hides_the_smallest_other_cell_above_zero_too():
    # 6, 2, 0 with the total 8 published: 8 − 6 would give the 2 away, so 6 goes too.
    assert to_hide([6, 2, 0]) == [True, True, False]
    # 9, 7, 3: the 7 is the smallest other.
    assert to_hide([9, 7, 3]) == [False, True, True]
    # Two small cells already cover each other; nothing small, nothing hidden.
    assert to_hide([9, 2, 3]) == [False, True, True]
    assert to_hide([5, 0, 12]) == [False, False, False]


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8))
def test_a_row_never_hides_exactly_one_cell(counts):
    assert sum(to_hide(counts)) != 1 or [n for n in counts if n > 0] == [
        n for n, h in zip(counts, to_hide(counts), strict=True) if h
    ]


changes = st.lists(st.integers(min_value=-10, max_value=10), min_size=2, max_size=40)


@given(changes)
def test_the_interval_always_holds_the_mean(values):
    found = change_of(values)
    assert found is not None
    assert found.low is not None
    assert found.high is not None
    assert found.low <= found.mean + 1e-9
    assert found.mean - 1e-9 <= found.high
    assert math.isclose(found.mean - found.low, found.high - found.mean, abs_tol=1e-9)


@given(st.lists(st.floats(min_value=0, max_value=1000), min_size=1, max_size=50))
def test_percentiles_lie_between_the_smallest_and_largest_and_rise_with_p(values):
    p50, p90 = percentile(values, 50), percentile(values, 90)
    assert p50 is not None
    assert p90 is not None
    assert min(values) <= p50 <= p90 + 1e-9
    assert p90 <= max(values)
