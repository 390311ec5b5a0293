"""What Relève says of a calendar it cannot read, or of an event it skips, with what to do.

Each sentence is written once here, in English, under a key; a `Said` is that sentence filled in:
a plain English string for logs and the command line, which also keeps its key and values, so
that a page can say it in the reader's language (the catalogs' `calendar.<key>` entries,
coverage.wording.problems). A value may itself be a `Said` (« every day », said in French too).
"""
from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # The calendar cannot be used at all (calendars.errors), and the fix for each.
    "empty": "the calendar is empty (no BEGIN:VCALENDAR)",
    "empty.fix": "check that the address or file is the calendar's export, not an empty file",
    "web_page": "this is a web page, not a calendar (a login or error page?)",
    "web_page.fix": "use the calendar's iCal address: Google's 'secret address in iCal format', Outlook's "
                    "published .ics link, iCloud's public calendar link",
    "not_ical": "this is not iCalendar data (it does not start with BEGIN:VCALENDAR)",
    "not_ical.fix": "export the calendar as .ics, or use its iCal address",
    "folder": "this is a folder, not a calendar file",
    "folder.fix": "give the path of the .ics file itself",
    "not_regular": "this is not a regular file",
    "not_regular.fix": "give the path of an .ics file",
    "file_too_large": "the file is {size} bytes, more than the {limit} allowed",
    "no_such_file": "no such file",
    "no_such_file.fix": "check the path; a relative path starts from the configuration file's folder",
    "unreadable_file": "cannot read the file: {detail}",
    "bad_address": "this is not a valid address",
    "bad_address.fix": "copy the calendar's address again",
    "scheme": "{scheme}:// addresses are not read",
    "scheme.fix": "use the https:// or webcal:// address of the calendar",
    "redirect": "the address redirects to {target}, which is not read",
    "redirect.fix": "use the https:// address the calendar is published at",
    "too_large": "the calendar is {size} bytes, more than the {limit} allowed",
    "too_large_streamed": "the calendar is more than the {limit} bytes allowed",
    "too_slow": "no complete answer within {seconds} seconds",
    "too_slow.fix": "the calendar's server is too slow or overloaded; Relève tries again at the next refresh",
    "http_busy": "the server answered HTTP {code} (too many requests)",
    "http_failing": "the server answered HTTP {code} (an error on its side)",
    "http_later.fix": "nothing to change here: Relève waits and tries again later",
    "http_private": "the server answered HTTP {code}: the calendar is not public",
    "http_private.fix": "publish the calendar (or copy its secret iCal address again: it may have been reset)",
    "http": "the server answered HTTP {code}",
    "http.fix": "check that the address is still published and public",
    "certificate": "its server's certificate cannot be verified (a secure connection failed)",
    "certificate.fix": "check the address; if it opens in a browser without a warning, try again later",
    "no_such_host": "its server's name cannot be found",
    "no_such_host.fix": "check the address for a typo; if it is right, the network or its DNS is down",
    "refused": "its server refuses the connection",
    "refused.fix": "check the address and its port; the server may be down for a while",
    "cut_off": "the answer was cut off before its end",
    "cut_off.fix": "nothing to change here: Relève tries again at the next refresh",
    "unreachable": "its server cannot be reached",
    "unreachable.fix": "check the address in a browser; Relève keeps the last good copy meanwhile",
    "invalid": "not a valid iCalendar file: {detail}",
    "x_wr_timezone": "its X-WR-TIMEZONE cannot be applied: {detail}",
    "too_many_events": "it holds {count} events; Relève reads calendars of at most {limit}",
    "too_many_events.fix": "give Relève a calendar of closures only (or pick them out of a shared one with `only:`)",
    "too_many_zones": "it holds {count} time zone definitions; Relève reads at most {limit}",
    "too_many_zones.fix": "export the calendar again from its application",
    "too_many_closures": "it gives more than {limit} closures in the window",
    "too_many_closures.fix": "give Relève a calendar of closures only, or pick them with `only:`",
    "memory": "reading it needs more memory than Relève gives one calendar{budget}",
    "memory.fix": "give Relève a calendar of closures only",
    "process_budget.fix": "give Relève a calendar of closures only, with rules that repeat no more often than they "
                          "must",
    "not_read": "not read",
    "process_stopped": "the process reading it stopped",
    "out_of_memory": "the process reading it stopped, out of memory (Relève gives one calendar {limit} MiB)",
    "too_long": "reading it took more than {seconds} seconds, the most Relève gives one calendar",
    # An event skipped (calendars.model.CalendarProblem); the rest of the calendar is used.
    "skipped": "skipped: {reason}",
    "detail": "{detail}",
    "no_start": "it has no start (DTSTART)",
    "no_end": "it has a start time but no end time or duration",
    "no_time": "it lasts no time: it ends when it starts",
    "unreadable_property": "its {name} cannot be read ({detail})",
    "negative_duration": "its duration is negative ({written}): it ends before it starts",
    "ends_before": "it ends before it starts",
    "repeats_too_often": "this rule repeats {every}, {count} times up to the end of the window: Relève reads at "
                         "most {limit} occurrences of an event. Write the closure as a rule that repeats less often, "
                         "or as separate events",
    "repeats_too_often_since": "this rule repeats {every} since {year}, {count} times up to the end of the window: "
                               "Relève reads at most {limit} occurrences of an event. Write the closure as a rule "
                               "that repeats less often, or as separate events",
    "too_many_occurrences": "it gives more than {limit} occurrences in the window",
    "too_many_occurrences_max": "it gives more than {limit} occurrences in the window: Relève reads at most {limit} "
                                "occurrences of an event",
    "every.SECONDLY": "every second", "every.MINUTELY": "every minute", "every.HOURLY": "every hour",
    "every.DAILY": "every day", "every.WEEKLY": "every week", "every.MONTHLY": "every month",
    "every.YEARLY": "every year",
    # Of a closure, once the covering offices are known (coverage.schedule).
    "unknown_office": 'names the covering office "{name}", which is not in the configuration; the default chain '
                      "({chain}) is used",
}


class Said(str):
    """A sentence of a table filled in: its English, which also knows its key and values. The
    calendar layer's sentences are MESSAGES; a layer above may have its own table, in a subclass
    with its own `table` and `catalog` (config.messages)."""

    table: dict[str, str] = MESSAGES
    catalog = "calendar"   # the catalogs' context is "<catalog>.<key>"
    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, /, **values: Any) -> Said:
        made = super().__new__(cls, cls.table[key].format(**values))
        made.key, made.values = key, values
        return made

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _KINDS[cls.catalog] = cls

    def __reduce__(self) -> Any:
        # Pickled by its key and values: calendars are read in pool processes (calendars.pool).
        return _said, (self.catalog, self.key, self.values)

    def to_json(self) -> dict[str, Any]:
        return {"catalog": self.catalog, "key": self.key,
                "values": {name: value.to_json() if isinstance(value, Said) else value
                           for name, value in self.values.items()}}


_KINDS: dict[str, type[Said]] = {"calendar": Said}


def _said(catalog: str, key: str, values: dict[str, Any]) -> Said:
    return _KINDS[catalog](key, **values)


def said_from_json(value: Any) -> str:
    """A stored sentence: a `Said` again, or the plain text an older copy stored."""
    if isinstance(value, dict):
        kind = _KINDS.get(value.get("catalog", "calendar"))
        if kind is not None and value.get("key") in kind.table:
            return kind(value["key"], **{name: said_from_json(v) if isinstance(v, dict) else v
                                         for name, v in value.get("values", {}).items()})
    return str(value or "")


def said_to_json(text: str) -> Any:
    """A sentence to store: its key and values when it has them, else its text."""
    return text.to_json() if isinstance(text, Said) else text
