"""Synthetic but realistic calendars for the benchmarks."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from tests.builders import PARIS, vcalendar, vevent


def three_years_of_a_dentist(first_year: int = 2026) -> bytes:
    """Weekly lunch breaks for three years, three vacations a year, French public holidays."""
    events = [vevent("Pause déjeuner", datetime(first_year, 1, 5, 12, 30, tzinfo=PARIS),
                     datetime(first_year, 1, 5, 14, 0, tzinfo=PARIS), uid="lunch@bench",
                     lines=(f"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL={first_year + 3}0101T000000Z",))]
    for year in range(first_year, first_year + 3):
        for index, (month, day, days) in enumerate(((2, 15, 7), (8, 1, 21), (12, 24, 10))):
            start = date(year, month, day)
            events.append(vevent(f"Congés {year}-{index}", start, start + timedelta(days=days), uid=f"v{year}{index}@bench"))
        for month, day in ((1, 1), (4, 6), (5, 1), (5, 8), (5, 14), (5, 25), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)):
            events.append(vevent("Jour férié", date(year, month, day), uid=f"h{year}{month}{day}@bench",
                                 lines=("TRANSP:TRANSPARENT",)))
    return vcalendar(*events, headers=("X-WR-TIMEZONE:Europe/Paris",))


def practice_calendar(seed: int, events: int = 200) -> bytes:
    """A practice's calendar of `events` events, ten of them weekly rules, over about a year."""
    rng = random.Random(seed)
    found = []
    for index in range(10):  # weekly rules: lunch breaks, meetings, some endless
        start = datetime(2026, 1, 5 + index % 5, 12 + index % 3, 0, tzinfo=PARIS)
        until = "" if index % 3 == 0 else ";UNTIL=20271231T000000Z"
        found.append(vevent(f"Récurrent {index}", start, start + timedelta(minutes=90), uid=f"r{seed}-{index}@bench",
                            lines=(f"RRULE:FREQ=WEEKLY;BYDAY={['MO', 'TU', 'WE', 'TH', 'FR'][index % 5]}{until}",)))
    for index in range(events - 10):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(730))
        if rng.random() < 0.5:
            found.append(vevent(f"Fermeture {index}", day, day + timedelta(days=rng.randrange(1, 15)), uid=f"s{seed}-{index}@bench"))
        else:
            start = datetime(day.year, day.month, day.day, rng.randrange(8, 17), tzinfo=PARIS)
            found.append(vevent(f"Absence {index}", start, start + timedelta(hours=rng.randrange(1, 4)), uid=f"s{seed}-{index}@bench"))
    return vcalendar(*found)
