"""Which notice is due, from plain values: the periods, what each office was last told, and now.
No database: the rules are pure functions (`coverage.notices`)."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from calendars.model import Closure
from coverage.notices import Due, Told, due_notices, follow_up_due
from coverage.periods import CoveragePeriod
from tests.builders import PARIS, practice

DUPONT = practice(briefing_days=(7, 1))
A = (datetime(2027, 2, 15, tzinfo=PARIS), datetime(2027, 2, 22, tzinfo=PARIS))
B = (datetime(2027, 3, 1, tzinfo=PARIS), datetime(2027, 3, 8, tzinfo=PARIS))
BEFORE = datetime(2027, 1, 20, 10, 0, tzinfo=PARIS)


def period(dates: tuple[datetime, datetime], chain: tuple[str, ...] = ("martin",)) -> CoveragePeriod:
    closure = Closure(dates[0], dates[1], "Vacances d'hiver", "winter@test", is_all_day=True)
    return CoveragePeriod("winter@test", closure, chain, dates[1] + timedelta(hours=9))


class Office:
    """Plays the notice job for one office: sends what is due, and remembers it was told."""

    def __init__(self) -> None:
        self.told: list[Told] = []
        self.ids = itertools.count(1)

    def run(self, periods: list[CoveragePeriod], now: datetime, calendars_known: bool = True) -> list[Due]:
        due = due_notices(DUPONT, periods, self.told, now, calendars_known)
        for notice in due:
            if notice.is_skipped:
                continue
            source = notice.period or period((notice.told.period_start, notice.told.period_end))
            version = notice.period.version if notice.period else notice.told.version
            self.told.append(Told(next(self.ids), notice.office_id, notice.period_key, notice.kind, notice.slot,
                                  version, source.start, source.end))
        return due

    def believes(self) -> str | None:
        """The dates the office was last told, or "cancelled"."""
        last = [n for n in self.told if n.kind in ("briefing", "update", "start", "cancellation")]
        if not last:
            return None
        return "cancelled" if last[-1].kind == "cancellation" else last[-1].version


def kinds(due: list[Due]) -> list[str]:
    return [d.kind for d in due if not d.is_skipped]


def test_the_briefing_goes_seven_days_before_and_not_earlier():
    office = Office()

    assert office.run([period(A)], A[0] - timedelta(days=8)) == []
    assert kinds(office.run([period(A)], A[0] - timedelta(days=7))) == ["briefing"]
    assert office.run([period(A)], A[0] - timedelta(days=6)) == []


def test_after_an_outage_only_the_latest_briefing_goes_and_the_earlier_is_recorded_skipped():
    due = Office().run([period(A)], A[0] - timedelta(hours=12))

    assert [(d.slot, d.is_skipped) for d in due if d.kind == "briefing"] == [("7d", True), ("1d", False)]


def test_a_closure_moved_back_and_forth_leaves_the_office_believing_the_last_dates():
    office = Office()
    office.run([period(A)], BEFORE.replace(month=2, day=8))  # the 7-day briefing for A
    assert office.believes() == period(A).version

    moves = []
    for dates, day in ((B, 9), (A, 10), (B, 11)):
        moves.append(kinds(office.run([period(dates)], BEFORE.replace(month=2, day=day))))
        assert office.believes() == period(dates).version

    assert moves == [["update"], ["update"], ["update"]]  # the second move to B is told too


def test_a_closure_removed_then_put_back_on_the_same_dates_is_told_as_back_on():
    office = Office()
    office.run([period(A)], BEFORE.replace(month=2, day=8))

    removed = office.run([], BEFORE.replace(month=2, day=9))
    assert kinds(removed) == ["cancellation"] and office.believes() == "cancelled"
    back = office.run([period(A)], BEFORE.replace(month=2, day=10))

    assert kinds(back) == ["update"] and back[0].is_reinstated
    assert office.believes() == period(A).version


def test_an_office_dropped_from_the_chain_is_told_and_the_new_one_is_briefed():
    office = Office()
    office.run([period(A, ("martin",))], BEFORE.replace(month=2, day=8))

    due = office.run([period(A, ("permanence",))], BEFORE.replace(month=2, day=9))

    assert sorted((d.kind, d.office_id) for d in due) == [("briefing", "permanence"), ("cancellation", "martin")]


def test_no_cancellation_while_a_calendar_has_not_been_read():
    office = Office()
    office.run([period(A)], BEFORE.replace(month=2, day=8))

    assert office.run([], BEFORE.replace(month=2, day=9), calendars_known=False) == []
    assert office.believes() == period(A).version


def test_nothing_is_said_twice_when_nothing_changed():
    office = Office()
    office.run([period(A)], A[0] - timedelta(days=7))

    assert office.run([period(A)], A[0] - timedelta(days=7, minutes=-1)) == []


def test_start_and_end_notices_go_when_coverage_starts_and_ends_and_not_a_day_after():
    office = Office()
    office.run([period(A)], A[0] - timedelta(days=1))

    assert kinds(office.run([period(A)], A[0] + timedelta(minutes=1))) == ["start"]
    assert kinds(office.run([period(A)], A[1] + timedelta(hours=2))) == ["end"]
    assert Office().run([period(A)], A[1] + timedelta(days=1, minutes=1)) == []


def test_the_follow_up_list_is_due_at_seven_the_morning_the_practice_reopens_for_a_week():
    reopening = period(A)  # reopens at 9:00 the day after the last day

    assert not follow_up_due(DUPONT, reopening, A[1].replace(hour=6, minute=59))
    assert follow_up_due(DUPONT, reopening, A[1].replace(hour=7))
    assert not follow_up_due(DUPONT, reopening, A[1].replace(hour=7) + timedelta(days=7))
