"""Scoring against examples worked by hand from the instruments' published rules."""

from __future__ import annotations

import pytest

from ginnel.referrals.questionnaires import ONS4, SWEMWBS, UCLA3
from ginnel.referrals.scoring import ScoringError, check_definition, score

ons4 = ONS4["definition"]
ucla3 = UCLA3["definition"]
swemwbs = SWEMWBS["definition"]


def test_ons4_reports_each_of_the_four_answers_on_its_own_and_never_a_total():
    # Satisfied 6, worthwhile 7, happy yesterday 3, anxious yesterday 8.
    result = score(ons4, {"life_satisfaction": 6, "worthwhile": 7, "happiness": 3, "anxiety": 8})
    assert result.items == {"life_satisfaction": 6, "worthwhile": 7, "happiness": 3, "anxiety": 8}
    assert result.total is None
    assert "total" not in result.as_json()


def test_ons4_places_each_answer_in_the_range_ons_reports():
    # ONS: 0–4 low, 5–6 medium, 7–8 high, 9–10 very high; anxiety 0–1 very low,
    # 2–3 low, 4–5 medium, 6–10 high.
    result = score(ons4, {"life_satisfaction": 4, "worthwhile": 9, "happiness": 5, "anxiety": 6})
    assert result.bands == {
        "life_satisfaction": "low",
        "worthwhile": "very_high",
        "happiness": "medium",
        "anxiety": "high",
    }
    edges = score(ons4, {"life_satisfaction": 0, "worthwhile": 10, "happiness": 8, "anxiety": 1})
    assert edges.bands == {
        "life_satisfaction": "low",
        "worthwhile": "very_high",
        "happiness": "high",
        "anxiety": "very_low",
    }


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        ((1, 1, 1), 3),  # hardly ever, three times: the least lonely
        ((3, 3, 3), 9),  # often, three times: the loneliest
        ((2, 3, 1), 6),  # some of the time + often + hardly ever
        ((3, 2, 2), 7),
    ],
)
def test_ucla3_adds_the_three_answers_into_a_total_from_3_to_9(answers, total):
    result = score(
        ucla3, dict(zip(("lack_companionship", "left_out", "isolated"), answers, strict=False))
    )
    assert result.total == total
    assert result.metric is None


@pytest.mark.parametrize(
    ("answers", "raw", "metric"),
    [
        ((1,) * 7, 7, 7.00),
        ((5,) * 7, 35, 35.00),
        ((3,) * 7, 21, 19.25),  # some of the time, every statement
        ((4, 4, 3, 3, 4, 2, 4), 24, 21.54),
    ],
)
def test_swemwbs_turns_the_raw_total_into_the_metric_score_by_the_table(answers, raw, metric):
    codes = [item["code"] for item in swemwbs["items"]]
    result = score(swemwbs, dict(zip(codes, answers, strict=True)))
    assert result.total == raw
    assert result.metric == pytest.approx(metric)


def test_an_unanswered_question_is_refused_by_name():
    with pytest.raises(ScoringError) as error:
        score(ucla3, {"lack_companionship": 2, "left_out": 2})
    assert (error.value.problem, error.value.item) == ("missing", "isolated")


@pytest.mark.parametrize("value", [0, 4, -1, 2.5, True, "2"])
def test_an_answer_outside_the_scale_is_refused(value):
    with pytest.raises(ScoringError) as error:
        score(ucla3, {"lack_companionship": 2, "left_out": value, "isolated": 2})
    assert (error.value.problem, error.value.item) == ("out_of_range", "left_out")


def test_an_answer_to_a_question_the_questionnaire_does_not_have_is_refused():
    with pytest.raises(ScoringError) as error:
        score(ucla3, {"lack_companionship": 2, "left_out": 2, "isolated": 2, "sad": 1})
    assert error.value.problem == "unknown"


def test_a_reversed_item_counts_from_the_other_end():
    definition = {
        "items": [
            {"code": "a", "min": 1, "max": 5},
            {"code": "b", "min": 1, "max": 5, "reverse": True},
        ],
        "scoring": {"method": "sum"},
    }
    # 4 + (1 + 5 − 2) = 8; the answer itself is kept as given.
    result = score(definition, {"a": 4, "b": 2})
    assert result.total == 8
    assert result.items == {"a": 4, "b": 2}


def test_every_shipped_definition_can_be_scored():
    for definition in (ons4, ucla3, swemwbs):
        check_definition(definition)


def test_a_conversion_table_with_a_gap_is_refused():
    broken = {**swemwbs, "scoring": {**swemwbs["scoring"], "table": {"7": 7.0}}}
    with pytest.raises(ValueError, match="no row"):
        check_definition(broken)
