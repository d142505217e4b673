"""The notifications benchmark, run at a tiny size so it cannot rot: it completes and its counts
add up. Its figures (timings, memory) are never asserted; they go in docs/performance.md."""

from __future__ import annotations

import pytest

from ginnel.notifications import bench, queue

MEMBERS, EVENTS, FANOUTS, FANOUT_SIZE, BASELINE_EVENTS, BASELINE_SENDS = 60, 40, 2, 20, 10, 10


@pytest.fixture
def result(transactional_db):
    # In a real transaction each event is committed, so the after-commit hand-over to the
    # job queue happens as in production; the tables are emptied afterwards.
    sender = queue._sender[0]
    out = bench.run(
        members=MEMBERS,
        events=EVENTS,
        fanouts=FANOUTS,
        fanout_size=FANOUT_SIZE,
        baseline_events=BASELINE_EVENTS,
        baseline_sends=BASELINE_SENDS,
        seed=3,
    )
    assert queue._sender[0] is sender, "the bench puts the real sender back"
    return out


def test_the_day_completes_and_its_counts_add_up(result):
    check_every_event_and_every_person_told_makes_one_notification(result)
    check_deliveries_follow_the_preferences_and_the_immediate_ones_go_to_the_queue(result)
    check_every_pending_email_is_sent_once_and_every_held_one_goes_in_a_digest(result)
    check_the_baselines_ran_on_their_samples_and_left_no_rows(result)
    check_the_report_names_each_phase_beside_its_baseline(result)


def check_every_event_and_every_person_told_makes_one_notification(result):
    counts = result["counts"]
    assert result["members"] == MEMBERS
    assert counts["events"] == EVENTS
    assert counts["fanout_told"] == FANOUTS * FANOUT_SIZE
    assert counts["notifications"] == EVENTS + FANOUTS * FANOUT_SIZE


def check_deliveries_follow_the_preferences_and_the_immediate_ones_go_to_the_queue(result):
    counts = result["counts"]
    told = counts["notifications"]
    assert counts["pending"] + counts["held"] + counts["expected_off"] == told
    assert (counts["pending"], counts["held"]) == (
        counts["expected_pending"],
        counts["expected_held"],
    )
    assert counts["held"] > 0  # a fifth of members chose the digest: some of 100 told did
    assert counts["handed_to_queue"] == counts["pending"]


def check_every_pending_email_is_sent_once_and_every_held_one_goes_in_a_digest(result):
    counts = result["counts"]
    assert counts["dispatched_emails"] == counts["pending"]
    assert result["dispatch"]["n"] == counts["pending"]
    assert counts["digest_emails"] == counts["digest_recipients"]
    assert "pending" not in counts["after"]
    assert "held" not in counts["after"]
    assert sum(counts["after"].values()) == counts["pending"] + counts["held"]


def check_the_baselines_ran_on_their_samples_and_left_no_rows(result):
    assert result["baseline_emit"]["n"] == BASELINE_EVENTS
    # The naive fan-out tells the first announcement's audience again.
    assert result["baseline_fanout"]["n"] == FANOUT_SIZE
    assert result["baseline_rows_deleted"] == BASELINE_EVENTS + FANOUT_SIZE
    assert result["baseline_send"]["n"] == BASELINE_SENDS


def check_the_report_names_each_phase_beside_its_baseline(result):
    text = bench.report("sqlite", result)
    for phase in ("emit:", "fan-out:", "dispatch:", "digests:", "baseline: emit"):
        assert phase in text
