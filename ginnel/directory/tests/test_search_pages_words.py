"""What the search pages say in plain words: opening times, distances, money, ages, phone links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

import pytest

from ginnel.directory import wording


@dataclass
class Sched:
    freq: str = "WEEKLY"
    interval: int | None = None
    byday: str = ""
    bymonthday: str = ""
    opens_at: time | None = None
    closes_at: time | None = None
    description: str = ""


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (time(10), "10am"),
        (time(12), "12 noon"),
        (time(0), "12 midnight"),
        (time(13, 30), "1.30pm"),
        (time(9, 5), "9.05am"),
        (time(23, 59), "11.59pm"),
    ],
)
def test_times_of_day_are_said_as_people_write_them(value: time, said: str) -> None:
    assert wording.clock(value) == said


@pytest.mark.parametrize(
    ("schedule", "said"),
    [
        (Sched(byday="TH", opens_at=time(10), closes_at=time(12)), "Thursdays 10am to 12 noon"),
        (
            Sched(byday="MO,TU,WE,TH,FR", opens_at=time(9, 30), closes_at=time(16, 30)),
            "Mondays to Fridays 9.30am to 4.30pm",
        ),
        (Sched(byday="TU,TH"), "Tuesdays and Thursdays"),
        (Sched(byday="MO,WE,FR", opens_at=time(18)), "Mondays, Wednesdays and Fridays from 6pm"),
        (Sched(byday="MO,TU,WE,TH,FR,SA,SU"), "Every day"),
        (Sched(byday="TH", interval=2, opens_at=time(14), closes_at=time(16)),
         "Every other Thursday 2pm to 4pm"),
        (Sched(freq="MONTHLY", byday="2TH", opens_at=time(13, 30), closes_at=time(15, 30)),
         "The second Thursday of the month 1.30pm to 3.30pm"),
        (Sched(freq="MONTHLY", byday="-1FR"), "The last Friday of the month"),
        (Sched(freq="MONTHLY", bymonthday="1,15"), "The 1st and 15th of each month"),
        (Sched(freq="MONTHLY", bymonthday="-1", opens_at=time(10)),
         "The last day of each month from 10am"),
        (Sched(description="By appointment"), "By appointment"),
        (Sched(freq="", opens_at=time(9), closes_at=time(17)), "9am to 5pm"),
        (Sched(freq=""), ""),
    ],
)  # fmt: skip
def test_schedules_are_said_in_plain_words(schedule: Sched, said: str) -> None:
    assert wording.when(schedule) == said


def test_the_same_opening_twice_is_said_once() -> None:
    same = Sched(byday="TH", opens_at=time(10), closes_at=time(12))
    assert wording.whens([same, same, Sched(freq="")]) == ["Thursdays 10am to 12 noon"]


@pytest.mark.parametrize(
    ("miles", "said"),
    [(0.01, "less than 0.1 miles"), (0.84, "0.8 miles"), (1.0, "1 mile"), (2.0, "2 miles"),
     (1.25, "1.2 miles"), (12.4, "12 miles")],
)  # fmt: skip
def test_distances_are_in_miles(miles: float, said: str) -> None:
    assert wording.miles(miles * 1609.344) == said


def test_money_ages_and_phone_links() -> None:
    assert wording.money(Decimal("4.50")) == "£4.50"
    assert wording.money(Decimal("3.00")) == "£3"
    assert wording.ages(55, None) == "Aged 55 and over"
    assert wording.ages(8, 18) == "Ages 8 to 18"
    assert wording.ages(None, None) == ""
    assert wording.tel("0113 496 0000") == "tel:01134960000"
    assert wording.tel("+44 (0)1632 960001") == "tel:+4401632960001"
