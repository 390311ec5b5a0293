"""Which notice is due: pure functions of the coverage periods, the notices already sent and `now`.

The rules compare what each covering office was **last told** about a period with the truth of the
calendar now, not with what was ever sent:
- a **briefing** goes `briefing_days` before the period (when several are due after an outage, the
  latest goes and the earlier ones are recorded as skipped);
- an **update** goes when the office was last told other dates or another chain than the truth, or
  was last told the period was cancelled and it is back (A → B → A → B sends three updates);
- a **cancellation** goes when the office was last told of a period that is gone from the calendar,
  or that it no longer covers; never while a calendar has not been read (an unreadable calendar is
  not a cancelled closure);
- a **start** notice when coverage starts, an **end** notice when it ends (for a day);
- the practice's **follow-up list** at 7:00 the morning it reopens (for a week), when anybody
  called or wrote;
- a **voicemail notice** when a voicemail is left while the practice is closed outside a coverage
  period (right away, or gathered by the hour, as the practice chose);
- the **morning digest** at the first opening of the day, when anything came since the closing.
`coverage.notice_job` turns what is due into rows, messages and emails.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from config.settings import Practice
from coverage.hours import local_at
from coverage.periods import CoveragePeriod
from coverage.schedule import Schedule

FOLLOW_UP_USEFUL = timedelta(days=7)
END_NOTICE_USEFUL = timedelta(days=1)
DAY_STARTS, DAY_ENDS = 8, 20  # local hours between which texts go to offices' staff
TELLS = ("briefing", "update", "start", "cancellation")  # notices that tell an office what to believe


@dataclass(frozen=True)
class Told:
    """A notice already queued for an office (what it was told, and when: `id` orders them)."""

    id: int
    office_id: str
    period_key: str
    kind: str
    slot: str
    version: str
    period_start: datetime
    period_end: datetime


@dataclass(frozen=True)
class Due:
    """A notice to send now (or to record as skipped)."""

    kind: str                         # briefing, update, start, end, cancellation, follow_up
    office_id: str                    # "" for the practice itself
    period_key: str
    slot: str                         # with the kind, unique for the practice, office and period
    period: CoveragePeriod | None     # None for a cancellation: the period is gone
    told: Told | None = None          # what a cancellation or an update corrects
    is_skipped: bool = False          # a briefing a later one replaced
    is_reinstated: bool = False       # an update for a period the office was told was cancelled


def last_told(told: Iterable[Told]) -> dict[tuple[str, str], Told]:
    """For each (office, period), the last notice that told the office something about it."""
    last: dict[tuple[str, str], Told] = {}
    for notice in sorted(told, key=lambda n: n.id):
        if notice.kind in TELLS:
            last[(notice.office_id, notice.period_key)] = notice
    return last


def due_notices(practice: Practice, periods: list[CoveragePeriod], told: list[Told], now: datetime,
                calendars_known: bool, briefed_keys: set[tuple[str, str, str, str]] | None = None) -> list[Due]:
    """Every office notice due at `now` for the practice's periods, given what was told before.

    `briefed_keys` holds the (office, period, kind, slot) already written, skipped ones included,
    so that what was done is not proposed again (the store refuses a second row anyway).
    """
    done = briefed_keys if briefed_keys is not None else {(n.office_id, n.period_key, n.kind, n.slot) for n in told}
    last = last_told(told)
    stamp = now.timestamp()
    due: list[Due] = []
    for period in periods:
        for office_id in period.recipients:
            due += _for_office(practice, period, office_id, last.get((office_id, period.key)), stamp, done)
    if calendars_known:
        truth = {(office_id, period.key) for period in periods for office_id in period.recipients}
        for (office_id, key), notice in last.items():
            if notice.kind == "cancellation" or (office_id, key) in truth or notice.period_end.timestamp() <= stamp:
                continue
            due.append(Due("cancellation", office_id, key, f"{notice.version}:{notice.id}", None, told=notice))
    return [d for d in due if (d.office_id, d.period_key, d.kind, d.slot) not in done]


def _for_office(practice: Practice, period: CoveragePeriod, office_id: str, last: Told | None, stamp: float,
                done: set[tuple[str, str, str, str]]) -> list[Due]:
    if stamp >= period.end.timestamp():
        if stamp < (period.end + END_NOTICE_USEFUL).timestamp():
            return [Due("end", office_id, period.key, "", period)]
        return []
    found: list[Due] = []
    # What the office believes is no longer the truth: it was told other dates, another chain, or
    # that the period was cancelled. The slot names the notice it corrects, so each correction is
    # one notice, and a correction of a correction is another one.
    if last is not None and (last.kind == "cancellation" or last.version != period.version):
        found.append(Due("update", office_id, period.key, f"{period.version}:{last.id}", period, told=last,
                         is_reinstated=last.kind == "cancellation"))
    # period.start is in the practice's zone, so "days before" counts days on its wall clock: the
    # 7-day briefing of Monday 29 March 2027, 0:00 CEST, goes Monday 22 March, 0:00 CET (an hour
    # less than 7 × 24 hours).
    slots = [days for days in practice.briefing_days if stamp >= (period.start - timedelta(days=days)).timestamp()]
    if slots and (last is None or not found):
        # Down for a while and several briefings due: the latest one goes, the others are skipped.
        latest = min(slots)
        for days in sorted(slots, reverse=True):
            found.append(Due("briefing", office_id, period.key, f"{days}d", period, is_skipped=days != latest))
    if stamp >= period.start.timestamp():
        found.append(Due("start", office_id, period.key, "", period))
    return found


def follow_up_due(practice: Practice, period: CoveragePeriod, now: datetime) -> bool:
    """Whether the practice's follow-up list of this period is due now (and still useful)."""
    due = follow_up_time(practice, period)
    return due.timestamp() <= now.timestamp() < (due + FOLLOW_UP_USEFUL).timestamp()


def follow_up_time(practice: Practice, period: CoveragePeriod) -> datetime:
    """The morning the practice reopens: 7:00 that day, or the reopening itself if it is earlier."""
    reopening = (period.reopens_at or period.end).astimezone(practice.timezone)
    morning = reopening.replace(hour=7, minute=0, second=0, microsecond=0)
    if morning.timestamp() > reopening.timestamp():
        return reopening
    return morning if morning.timestamp() >= period.end.timestamp() else period.end


def daytime(instant: datetime, practice: Practice) -> datetime:
    """When a text queued at `instant` may go to an office's staff, who read it on their phones:
    not between 20:00 and 8:00 (local time); what falls then waits for 8:00. Emails go at once."""
    local = instant.astimezone(practice.timezone)
    if DAY_STARTS <= local.hour < DAY_ENDS:
        return local
    day = local.date() if local.hour < DAY_STARTS else local.date() + timedelta(days=1)
    return local_at(day, DAY_STARTS * 3600, practice.timezone)


# -- what the practice hears of between two openings -------------------------------------------

VOICEMAIL_LOOKBACK = timedelta(days=1)   # a voicemail notice older than this is not sent any more
DIGEST_USEFUL = timedelta(hours=4)       # the morning digest goes within this of the opening
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Left:
    """A voicemail in the contact log."""

    ref: str
    at: datetime
    was_open: bool


@dataclass(frozen=True)
class VoicemailNotice:
    """A notice to the practice of one voicemail (right away) or of an hour's voicemails."""

    key: str
    voicemails: tuple[Left, ...]


def in_a_period(at: datetime, periods: Iterable[CoveragePeriod]) -> bool:
    """Whether `at` falls in a coverage period: what came then is on its follow-up list."""
    stamp = at.timestamp()
    return any(p.start.timestamp() <= stamp < p.end.timestamp() for p in periods)


def voicemail_notices_due(practice: Practice, voicemails: Iterable[Left], periods: list[CoveragePeriod],
                          now: datetime) -> list[VoicemailNotice]:
    """The notices of voicemails left while the practice was closed outside a coverage period
    (lunch, evening, weekend; a coverage period has its covering office and its follow-up list).
    `right_away`: one per voicemail; `hourly`: one per hour that had any, once the hour is over."""
    stamp = now.timestamp()
    kept = [v for v in voicemails if not v.was_open and not in_a_period(v.at, periods)
            and stamp - VOICEMAIL_LOOKBACK.total_seconds() <= v.at.timestamp() <= stamp]
    if practice.voicemail_notices == "right_away":
        return [VoicemailNotice(f"voicemail:{v.ref}", (v,)) for v in kept]
    if practice.voicemail_notices != "hourly":
        return []
    hours: dict[datetime, list[Left]] = {}
    for voicemail in kept:
        local = voicemail.at.astimezone(practice.timezone)
        hours.setdefault(local.replace(minute=0, second=0, microsecond=0), []).append(voicemail)
    return [VoicemailNotice(f"voicemails:{start.isoformat()}", tuple(items)) for start, items in sorted(hours.items())
            if stamp >= start.timestamp() + HOUR.total_seconds()]


def digest_window(schedule: Schedule, now: datetime) -> tuple[datetime, datetime] | None:
    """(the closing, the opening) when the morning digest is due at `now`: within DIGEST_USEFUL
    of the first opening of the practice's day, it tells what came since the last closing."""
    starts, ends = schedule.open_starts, schedule.open_ends
    stamp = now.timestamp()
    index = bisect_right(starts, stamp) - 1
    if index < 0 or stamp - starts[index] >= DIGEST_USEFUL.total_seconds():
        return None
    tz = schedule.tz
    opening = datetime.fromtimestamp(starts[index], tz)
    if index > 0 and datetime.fromtimestamp(starts[index - 1], tz).date() == opening.date():
        return None  # the afternoon after lunch: the morning's digest went already
    closing = datetime.fromtimestamp(ends[index - 1], tz) if index > 0 else opening - timedelta(days=1)
    return closing, opening
