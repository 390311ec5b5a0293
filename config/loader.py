"""Read the YAML configuration into `Settings`, reporting every problem at once.

Each problem names the file, the line and the key, and says how to fix it. Nothing here reads
the calendars themselves (that is `config check`'s job); a local calendar file that does not
exist is reported, since that is cheap and the most common slip.
"""
from __future__ import annotations

import difflib
import functools
import itertools
import re
import string
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
import yaml

from calendars.model import ClosureFilter
from config.errors import ConfigError, Problem
from config.settings import (
    GREETINGS,
    LANGUAGES,
    OFFICE_KINDS,
    PROFESSIONS,
    TEXTS,
    VOICEMAIL_NOTICES,
    WEEKDAYS,
    CalendarSource,
    CoveringOffice,
    Name,
    OpeningHours,
    Practice,
    Service,
    Settings,
    UrgentContact,
)
from config.yamlfile import LineDict, LineList, load_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HOURS = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})\s*$")
_SECRET_WORDS = ("token", "password", "secret", "account_sid", "api_key")
_SECRET_FIX = (
    "secrets never go in the YAML file: remove this key and set the environment variable "
    "instead (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMTP_PASSWORD, or the same name with "
    "_FILE pointing at a file that holds it)"
)

PRACTICE_KEYS = {
    "id": True, "name": True, "numbers": True, "front_desk": True, "timezone": True,
    "language": True, "calendars": True, "coverage": True, "opening_hours": False,
    "instructions": False, "ring_seconds": False, "greetings": False, "texts": False, "sms": False,
    "email": False, "urgent_contact": False, "briefing_days": False, "voicemail_notices": False,
    "profession": False, "emergency_line": False,
}
OFFICE_KEYS = {
    "id": True, "kind": True, "name": True, "phone": True, "language": True,
    "sms": False, "email": False, "ask_to_accept": False, "ring_seconds": False,
}
TOP_KEYS = {"practices": True, "offices": True, "service": False, "greetings": False}
_FOLDER_KEYS = {"practices": False, "offices": False, "service": False, "greetings": False}  # each file of a folder
SERVICE_KEYS = {"refresh_minutes": False, "horizon_days": False, "public_url": False, "retention_days": False,
                "calendar_alert_hours": False}
COVERAGE_KEYS = {"closures": True, "outside_hours": False}
CALENDAR_KEYS = {"source": True, "only": False}
ONLY_KEYS = {"categories": False, "title_contains": False}
NAME_KEYS = {"written": True, "spoken": True, "gender": False, "plural": False}
# How a name's gender may be written, in English or in French.
GENDERS = {"feminine": "feminine", "féminin": "feminine", "féminine": "feminine",
           "masculine": "masculine", "masculin": "masculine"}


class _Checker:
    """Collects problems while walking the YAML tree."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.declared_offices: set[str] = set()
        self.declared_practices: set[str] = set()

    def error_count(self) -> int:
        return sum(1 for p in self.problems if not p.is_warning)

    def error(self, line: int | None, key: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.file, line, key, message, fix))

    def warn(self, line: int | None, key: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.file, line, key, message, fix, is_warning=True))

    def mapping(self, value: Any, key: str, line: int | None, allowed: dict[str, bool]) -> LineDict | None:
        """Check that `value` is a mapping with only `allowed` keys and all the required ones."""
        if not isinstance(value, LineDict):
            self.error(line, key, f"expected a mapping of keys ({', '.join(allowed)}), got {_kind(value)}",
                       "indent the keys under it, one `key: value` per line")
            return None
        misspelt: set[str] = set()
        for name in value:
            name_s = str(name)
            if name_s in allowed:
                continue
            where = value.key_lines.get(name_s, value.line)
            path = name_s if key == "(top)" else f"{key}.{name_s}"
            if _names_a_secret(name_s, value[name]):
                self.error(where, path, "secrets are not read from the configuration file", _SECRET_FIX)
                continue
            close = difflib.get_close_matches(name_s, list(allowed), n=1)
            fix = f'did you mean "{close[0]}"?' if close else f"the keys allowed here are: {', '.join(allowed)}"
            self.error(where, path, "unknown key", fix)
            misspelt.update(close)
        for name, required in allowed.items():
            # A misspelt required key is reported once, as a misspelling, not again as missing.
            if required and name not in value and name not in misspelt:
                self.error(value.line, key, f'missing required key "{name}"', f"add `{name}:` under {key}")
            elif required and name in value and value[name] is None:
                # `timezone:` with nothing after it; left unreported, the entry would silently be dropped.
                self.error(value.key_lines.get(name, value.line), f"{key}.{name}", "no value is given",
                           f"write its value after `{name}:`, or indent the lines that belong under it")
        return value

    def line_of(self, parent: LineDict, name: str) -> int:
        return parent.key_lines.get(name, parent.line)

    def text(self, parent: LineDict, name: str, key: str) -> str | None:
        value = parent.get(name)
        if value is None:
            return None
        if isinstance(value, (LineDict, LineList)) or not str(value).strip():
            self.error(self.line_of(parent, name), key, f"expected some text, got {_kind(value)}")
            return None
        return str(value).strip()

    def text_list(self, parent: LineDict, name: str, key: str) -> tuple[str, ...]:
        """A list of strings; a single string is accepted as a list of one."""
        value = parent.get(name)
        if value is None:
            return ()
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return (str(value),)
        if not isinstance(value, LineList) or any(isinstance(v, (LineDict, LineList)) for v in value):
            self.error(self.line_of(parent, name), key, f"expected a list of values, got {_kind(value)}",
                       "write it as [a, b] or one `- item` per line")
            return ()
        return tuple(str(v) for v in value)


def _names_a_secret(name: str, value: Any) -> bool:
    """True if the key, or any key under it (`twilio: {auth_token: …}`), names a credential."""
    if any(word in name.lower() for word in _SECRET_WORDS):
        return True
    return isinstance(value, LineDict) and any(_names_a_secret(str(k), v) for k, v in value.items())


def _entry_key(kind: str, index: int, raw: Any) -> str:
    """practices[cabinet-dupont] when the entry has a usable id, else practices[0]."""
    ident = raw.get("id") if isinstance(raw, LineDict) else None
    return f"{kind}[{ident}]" if isinstance(ident, str) and _ID.match(ident) else f"{kind}[{index}]"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, LineDict):
        return "a mapping"
    if isinstance(value, LineList):
        return "a list"
    return f'"{value}"'


@dataclass(frozen=True)
class LoadedConfig:
    """What a configuration gives: the settings of every practice and office whose part is
    right, and the problems. A practice (or office) whose part has an error is left out and named
    in `broken`, so that a reload keeps its last good version while the others load; only an
    error outside any entry (the YAML syntax, `service`, `greetings`) makes `settings` None."""

    settings: Settings | None
    problems: tuple[Problem, ...]
    broken: frozenset[str] = frozenset()          # practice ids
    broken_offices: frozenset[str] = frozenset()  # office ids

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_warning)


def load_settings(path: str | Path) -> Settings:
    """Read and validate the configuration (a file, or a folder of them); raise ConfigError
    listing every problem when anything is wrong."""
    loaded = load_config(path)
    if loaded.errors or loaded.settings is None:
        raise ConfigError(list(loaded.problems))
    return loaded.settings


def config_files(path: str | Path) -> list[Path]:
    """The file, or every .yaml and .yml file of the folder, in name order."""
    path = Path(path)
    if path.is_dir():
        return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    return [path]


def load_config(path: str | Path) -> LoadedConfig:
    """Read the configuration, a file or a folder of files (one per practice, say), keeping
    what is right of it."""
    path = Path(path)
    files = config_files(path)
    if path.is_dir() and not files:
        return LoadedConfig(None, (Problem(str(path), None, "(folder)", "the folder holds no .yaml file",
                                           "put the configuration's files in it, or point RELEVE_CONFIG at one file"),))
    texts = []
    for file in files:
        try:
            texts.append((file, file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return LoadedConfig(None, (Problem(str(file), None, "(file)", "configuration file not found",
                                               "check RELEVE_CONFIG, or copy config/example/releve.yaml"),))
        except (OSError, UnicodeDecodeError) as exc:
            return LoadedConfig(None, (Problem(str(file), None, "(file)", f"cannot be read: {exc}",
                                               "save it as UTF-8 text"),))
    return parse_config(texts, path)


def parse_settings(text: str, path: Path) -> Settings:
    """Validate YAML text as if read from `path` (relative calendar paths start from its folder)."""
    loaded = parse_config([(path, text)], path)
    if loaded.errors or loaded.settings is None:
        raise ConfigError(list(loaded.problems))
    return loaded.settings


def parse_config(texts: list[tuple[Path, str]], path: Path) -> LoadedConfig:
    """Validate YAML texts, each as read from its path, as one configuration."""
    checker = _Checker(str(texts[0][0]) if texts else str(path))
    roots: list[tuple[Path, LineDict]] = []
    for file, text in texts:
        checker.file = str(file)
        try:
            tree = load_yaml(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            checker.error(mark.line + 1 if mark else None, "(syntax)", f"not valid YAML: {exc.problem}",
                          "check the indentation and quoting around this line")
            return LoadedConfig(None, tuple(checker.problems))
        except yaml.YAMLError as exc:
            checker.error(None, "(syntax)", f"not valid YAML: {exc}")
            return LoadedConfig(None, tuple(checker.problems))
        if tree is None and len(texts) > 1:
            continue  # an empty file of a folder
        root = checker.mapping(tree, "(top)", 1, TOP_KEYS if len(texts) == 1 else _FOLDER_KEYS)
        if root is None:
            return LoadedConfig(None, tuple(checker.problems))
        roots.append((file, root))

    offices: dict[str, CoveringOffice] = {}
    broken_offices: set[str] = set()
    declared: set[str] = set()
    for file, root in roots:
        checker.file = str(file)
        found_offices, broken_here = _read_offices(checker, root, declared)
        offices.update(found_offices)
        broken_offices |= broken_here
    checker.declared_offices = declared

    service, greetings = Service(), {}
    with_service = [(file, root) for file, root in roots if "service" in root or "greetings" in root]
    if len(with_service) > 1:
        checker.file = str(with_service[1][0])
        checker.error(None, "service", "service and greetings are set in more than one file",
                      f"keep them in one file of the folder (they are in {with_service[0][0].name} already)")
    for file, root in with_service[:1]:
        checker.file = str(file)
        service = _read_service(checker, root)
        greetings = _read_language_greetings(checker, root)

    practices: list[Practice] = []
    broken: set[str] = set()
    numbers_seen: dict[str, str] = {}
    for file, root in roots:
        checker.file = str(file)
        found_practices, broken_practices = _read_practices(checker, root, file.resolve().parent, numbers_seen)
        practices.extend(found_practices)
        broken |= broken_practices
    # A practice whose chain names an office that has an error of its own cannot be used either.
    for practice in list(practices):
        if broken_offices & {*practice.closure_chain, *practice.after_hours_chain}:
            practices.remove(practice)
            broken.add(practice.id)
    if not any("practices" in root for _, root in roots) and not checker.problems:
        checker.error(1, "practices", 'missing required key "practices"', "add `practices:` with one entry each")
    # An error inside one practice's or office's entry costs that entry; any other refuses the file.
    global_errors = [p for p in checker.problems if not p.is_warning and not p.key.startswith(("practices[", "offices["))]
    if global_errors:
        return LoadedConfig(None, tuple(checker.problems), frozenset(broken), frozenset(broken_offices))
    settings = Settings(path=path, practices=tuple(practices), offices=offices, service=service, greetings=greetings)
    return LoadedConfig(settings, tuple(checker.problems), frozenset(broken), frozenset(broken_offices))


def _items(checker: _Checker, root: LineDict, name: str) -> list[tuple[int, Any]]:
    value = root.get(name)
    if value is None:
        return []
    if not isinstance(value, LineList):
        checker.error(checker.line_of(root, name), name, f"expected a list, got {_kind(value)}",
                      f"write one `- id: …` entry per {name[:-1]}")
        return []
    return list(zip(value.item_lines, value, strict=True))


def _read_id(checker: _Checker, entry: LineDict, kind: str, index: int, seen: set[str]) -> str | None:
    raw = entry.get("id")
    if raw is None:
        return None
    ident = str(raw)
    line = checker.line_of(entry, "id")
    if not _ID.match(ident):
        checker.error(line, f"{kind}[{index}].id", f'"{ident}" is not a valid id',
                      "use lower-case letters, digits, - and _ only, e.g. cabinet-dupont")
        return None
    if ident in seen:
        checker.error(line, f"{kind}[{ident}].id", f'the id "{ident}" is used twice', "give each one its own id")
        return None
    seen.add(ident)
    return ident


def _read_name(checker: _Checker, entry: LineDict, key: str) -> Name | None:
    value = entry.get("name")
    line = checker.line_of(entry, "name")
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return Name(written=value.strip(), spoken=value.strip())
    mapping = checker.mapping(value, f"{key}.name", line, NAME_KEYS)
    if mapping is None:
        return None
    written = checker.text(mapping, "written", f"{key}.name.written")
    spoken = checker.text(mapping, "spoken", f"{key}.name.spoken")
    gender = checker.text(mapping, "gender", f"{key}.name.gender")
    if gender is not None and gender.lower() not in GENDERS:
        checker.error(checker.line_of(mapping, "gender"), f"{key}.name.gender", f'unknown gender "{gender}"',
                      'write feminine (« la clinique … est fermée ») or masculine (« le cabinet … est fermé »)')
        return None
    plural = _read_bool(checker, mapping, "plural", f"{key}.name.plural")
    if not (written and spoken):
        return None
    return Name(written, spoken, GENDERS[gender.lower()] if gender else None, plural)


def _read_phone(checker: _Checker, raw: Any, line: int | None, key: str) -> str | None:
    """A phone number in international form, returned as E.164 (+33145678910)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        # YAML reads an unquoted +33142001122 as 33142001122, and 0142001122 as an octal number.
        checker.error(line, key, f"{raw} was read as a number, which loses a leading + or 0",
                      'put the phone number in quotes, e.g. "+33 1 45 67 89 10"')
        return None
    text = str(raw).strip()
    hint = ""
    for region in ("FR", "CA"):
        try:
            guess = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(guess):
            e164 = phonenumbers.format_number(guess, phonenumbers.PhoneNumberFormat.E164)
            hint = f" ({text} in {region} would be {e164})"
            break
    if not text.startswith("+"):
        checker.error(line, key, f'"{text}" is not in international format',
                      f"write it with its country code, as +33 1 45 67 89 10 or +1 514 555 0123{hint}")
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        checker.error(line, key, f'"{text}" is not a phone number: {exc}',
                      "write it in international format, e.g. +33 1 45 67 89 10")
        return None
    if not phonenumbers.is_valid_number(number):
        checker.error(line, key, f'"{text}" is not a valid phone number',
                      "check the digits: a wrong or missing digit is the usual cause")
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _read_phones(checker: _Checker, entry: LineDict, name: str, key: str) -> tuple[str, ...]:
    values = checker.text_list(entry, name, key)
    line = checker.line_of(entry, name)
    raw = entry.get(name)
    if isinstance(raw, LineList) and not raw:
        checker.error(line, key, "the list of phone numbers is empty", "list at least one number")
    # YAML's own values, not text_list's strings, so that an unquoted number is recognised.
    items = (list(raw) if isinstance(raw, LineList) else [raw]) if values else []
    found = tuple(p for p in (_read_phone(checker, v, line, key) for v in items) if p)
    return found


def _read_language(checker: _Checker, entry: LineDict, key: str) -> str | None:
    raw = entry.get("language")
    if raw is None:
        return None
    line = checker.line_of(entry, "language")
    text = str(raw).strip().replace("_", "-")
    for language in LANGUAGES:
        if language.lower() == text.lower():
            return language
    close = difflib.get_close_matches(text, LANGUAGES, n=1)
    fix = (f'did you mean "{close[0]}"? ' if close else "") + f"Relève speaks {', '.join(LANGUAGES)}"
    checker.error(line, key, f'unknown language "{raw}"', fix)
    return None


def _read_email(checker: _Checker, entry: LineDict, key: str) -> str | None:
    text = checker.text(entry, "email", key)
    if text is None:
        return None
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", text):
        checker.error(checker.line_of(entry, "email"), key, f'"{text}" is not an email address',
                      "write it as name@example.fr")
        return None
    return text


def _read_offices(checker: _Checker, root: LineDict, seen: set[str]) -> tuple[dict[str, CoveringOffice], set[str]]:
    """The offices whose entries are right, and the ids of those with an error."""
    offices: dict[str, CoveringOffice] = {}
    broken: set[str] = set()
    for index, (line, raw) in enumerate(_items(checker, root, "offices")):
        before = checker.error_count()
        entry = checker.mapping(raw, _entry_key("offices", index, raw), line, OFFICE_KEYS)
        if entry is None:
            continue
        ident = _read_id(checker, entry, "offices", index, seen)
        key = f"offices[{ident or index}]"
        kind = checker.text(entry, "kind", f"{key}.kind")
        if kind is not None and kind not in OFFICE_KINDS:
            checker.error(checker.line_of(entry, "kind"), f"{key}.kind", f'unknown kind "{kind}"',
                          f"use one of: {', '.join(OFFICE_KINDS)}")
            kind = None
        name = _read_name(checker, entry, key)
        phone = entry.get("phone")
        phone_e164 = (_read_phone(checker, phone, checker.line_of(entry, "phone"), f"{key}.phone")
                      if phone is not None else None)
        sms = entry.get("sms")
        sms_e164 = _read_phone(checker, sms, checker.line_of(entry, "sms"), f"{key}.sms") if sms is not None else None
        email = _read_email(checker, entry, f"{key}.email")
        language = _read_language(checker, entry, f"{key}.language")
        ask_to_accept = _read_bool(checker, entry, "ask_to_accept", f"{key}.ask_to_accept")
        ring_seconds = _read_int(checker, entry, "ring_seconds", f"{key}.ring_seconds", 5, 120, 20)
        if checker.error_count() > before:
            # An office with a mistake of its own is reported once, not again at every chain naming it.
            if ident:
                broken.add(ident)
            continue
        if ident and kind and name and phone_e164 and language:
            offices[ident] = CoveringOffice(ident, kind, name, phone_e164, language, sms_e164, email,
                                            ask_to_accept=ask_to_accept, ring_seconds=ring_seconds)
    return offices, broken


def _read_service(checker: _Checker, root: LineDict) -> Service:
    raw = root.get("service")
    if raw is None:
        return Service()
    entry = checker.mapping(raw, "service", checker.line_of(root, "service"), SERVICE_KEYS)
    if entry is None:
        return Service()
    refresh = _read_int(checker, entry, "refresh_minutes", "service.refresh_minutes", 1, 24 * 60, 15)
    horizon = _read_int(checker, entry, "horizon_days", "service.horizon_days", 14, 5 * 366, 400)
    retention = _read_int(checker, entry, "retention_days", "service.retention_days", 30, 10 * 366, 90)
    alert = _read_int(checker, entry, "calendar_alert_hours", "service.calendar_alert_hours", 1, 24 * 14, 6)
    public_urls = []
    for address in checker.text_list(entry, "public_url", "service.public_url"):
        parts = urlsplit(address.strip())
        if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") or parts.query:
            checker.error(checker.line_of(entry, "public_url"), "service.public_url",
                          f'"{address}" is not a base address',
                          "write the https:// address Twilio calls, without a path: https://releve.example.fr")
            continue
        public_urls.append(f"https://{parts.netloc.lower()}")
    return Service(refresh=timedelta(minutes=refresh), horizon=timedelta(days=horizon),
                   public_urls=tuple(dict.fromkeys(public_urls)), retention=timedelta(days=retention),
                   calendar_alert=timedelta(hours=alert))


def _read_int(checker: _Checker, entry: LineDict, name: str, key: str, low: int, high: int, default: int) -> int:
    value = entry.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        checker.error(checker.line_of(entry, name), key, f"expected a whole number from {low} to {high}, got {_kind(value)}")
        return default
    return int(value)


def _read_timezone(checker: _Checker, entry: LineDict, key: str) -> zoneinfo.ZoneInfo | None:
    raw = entry.get("timezone")
    if raw is None:
        return None
    name = str(raw).strip()
    line = checker.line_of(entry, "timezone")
    if name in _zone_names():
        return zoneinfo.ZoneInfo(name)
    close = difflib.get_close_matches(name, sorted(_zone_names()), n=1)
    fix = f'did you mean "{close[0]}"?' if close else "use an IANA zone name such as Europe/Paris or America/Montreal"
    checker.error(line, key, f'unknown time zone "{name}"', fix)
    return None


@functools.cache
def _zone_names() -> frozenset[str]:
    """The IANA zones this machine knows (available_timezones() walks the disk at every call)."""
    return frozenset(zoneinfo.available_timezones())


def _read_chain(checker: _Checker, entry: LineDict, name: str, key: str) -> tuple[str, ...]:
    chain = checker.text_list(entry, name, key)
    line = checker.line_of(entry, name)
    known = sorted(checker.declared_offices)
    for office_id in chain:
        if office_id not in known:
            close = difflib.get_close_matches(office_id, known, n=1)
            fix = f'did you mean "{close[0]}"?' if close else f"declare it under offices: (known: {', '.join(known) or 'none'})"
            checker.error(line, key, f'no covering office has the id "{office_id}"', fix)
    if len(set(chain)) != len(chain):
        checker.error(line, key, "the same covering office appears twice in the chain", "list each office once")
    return chain


def _read_coverage(checker: _Checker, entry: LineDict, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    raw = entry.get("coverage")
    if raw is None:
        return (), ()
    mapping = checker.mapping(raw, f"{key}.coverage", checker.line_of(entry, "coverage"), COVERAGE_KEYS)
    if mapping is None:
        return (), ()
    closures = _read_chain(checker, mapping, "closures", f"{key}.coverage.closures")
    if mapping.get("closures") is not None and not closures:
        checker.error(checker.line_of(mapping, "closures"), f"{key}.coverage.closures",
                      "the coverage chain is empty: callers would reach nobody",
                      "list at least one covering office id")
    after = _read_chain(checker, mapping, "outside_hours", f"{key}.coverage.outside_hours")
    return closures, after or closures


def _read_calendars(checker: _Checker, entry: LineDict, key: str, folder: Path) -> tuple[CalendarSource, ...]:
    raw = entry.get("calendars")
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw_list: list[tuple[int, Any]] = [(checker.line_of(entry, "calendars"), raw)]
    elif isinstance(raw, LineList):
        raw_list = list(zip(raw.item_lines, raw, strict=True))
    else:
        checker.error(checker.line_of(entry, "calendars"), f"{key}.calendars", f"expected a list, got {_kind(raw)}",
                      "write one `- file.ics` or `- source: https://…` per calendar")
        return ()
    sources = []
    for index, (line, item) in enumerate(raw_list):
        item_key = f"{key}.calendars[{index}]"
        selection = ClosureFilter()
        if isinstance(item, LineDict):
            mapping = checker.mapping(item, item_key, line, CALENDAR_KEYS)
            if mapping is None or mapping.get("source") is None:
                continue
            location = str(mapping["source"]).strip()
            line = checker.line_of(mapping, "source")
            if "only" in mapping:
                only = checker.mapping(mapping["only"], f"{item_key}.only", checker.line_of(mapping, "only"), ONLY_KEYS)
                if only is not None:
                    selection = ClosureFilter(
                        categories=checker.text_list(only, "categories", f"{item_key}.only.categories"),
                        title_contains=checker.text_list(only, "title_contains", f"{item_key}.only.title_contains"),
                    )
        elif isinstance(item, str) and item.strip():
            location = item.strip()
        else:
            checker.error(line, item_key, f"expected a file or an address, got {_kind(item)}")
            continue
        source = _read_location(checker, location, line, item_key, folder)
        if source:
            sources.append(CalendarSource(source, selection, line=line))
    return tuple(sources)


def _read_location(checker: _Checker, location: str, line: int, key: str, folder: Path) -> str | None:
    """A calendar location: webcal:// becomes https://; a relative path starts at the config's folder."""
    if location.startswith("webcal://"):
        return "https://" + location[len("webcal://"):]
    if "://" in location:
        parts = urlsplit(location)
        if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")):
            return location
        checker.error(line, key, f'"{parts.scheme}://" addresses are not read',
                      "use the calendar's https:// or webcal:// address: a private calendar address is a "
                      "password and must not travel in clear")
        return None
    path = Path(location).expanduser()
    if not path.is_absolute():
        path = folder / path
    if not path.is_file():
        checker.error(line, key, f'calendar file "{path}" does not exist',
                      "check the name; a relative path starts from the configuration file's folder")
        return None
    return str(path)


def _read_opening_hours(checker: _Checker, entry: LineDict, key: str) -> OpeningHours | None:
    raw = entry.get("opening_hours")
    if raw is None:
        return None
    mapping = checker.mapping(raw, f"{key}.opening_hours", checker.line_of(entry, "opening_hours"),
                              {day: False for day in WEEKDAYS})
    if mapping is None:
        return None
    days: list[tuple[tuple[int, int], ...]] = []
    for day in WEEKDAYS:
        day_key = f"{key}.opening_hours.{day}"
        line = checker.line_of(mapping, day)
        value = mapping.get(day)
        if value is None or value is False or (isinstance(value, str) and value.strip().lower() in ("closed", "fermé", "ferme")):
            days.append(())
            continue
        ranges = [value] if isinstance(value, str) else (list(value) if isinstance(value, LineList) else None)
        if ranges is None:
            checker.error(line, day_key, f"expected opening ranges, got {_kind(value)}", 'write ["08:30-12:30", "14:00-19:00"] or closed')
            days.append(())
            continue
        spans = []
        for text in ranges:
            span = _parse_range(str(text))
            if span is None:
                checker.error(line, day_key, f'"{text}" is not an opening range',
                              'write it as "08:30-12:30" (24-hour clock; 24:00 for midnight)')
                continue
            spans.append(span)
        spans.sort()
        if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
            checker.error(line, day_key, "opening ranges overlap", "make each range end before the next starts")
        days.append(tuple(spans))
    if not any(days):
        checker.error(checker.line_of(entry, "opening_hours"), f"{key}.opening_hours",
                      "the practice is never open",
                      "give at least one day an opening range, or remove opening_hours")
    return OpeningHours(tuple(days))


def _parse_range(text: str) -> tuple[int, int] | None:
    match = _HOURS.match(text)
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if m1 > 59 or m2 > 59 or h1 > 23 or end > 86400 or end <= start:
        return None
    return start, end


def _read_practices(checker: _Checker, root: LineDict, folder: Path,
                    numbers_seen: dict[str, str]) -> tuple[list[Practice], set[str]]:
    """The practices whose entries are right, and the ids of those with an error (an entry
    without a usable id is reported, and left out)."""
    practices: list[Practice] = []
    broken: set[str] = set()
    seen = checker.declared_practices
    for index, (line, raw) in enumerate(_items(checker, root, "practices")):
        before = checker.error_count()
        entry = checker.mapping(raw, _entry_key("practices", index, raw), line, PRACTICE_KEYS)
        if entry is None:
            raw_id = raw.get("id") if isinstance(raw, LineDict) else None
            if isinstance(raw_id, str) and _ID.match(raw_id):
                broken.add(raw_id)
            continue
        ident = _read_id(checker, entry, "practices", index, seen)
        key = f"practices[{ident or index}]"
        name = _read_name(checker, entry, key)
        numbers = _read_phones(checker, entry, "numbers", f"{key}.numbers")
        for number in numbers:
            if number in numbers_seen and numbers_seen[number] != ident:
                checker.error(checker.line_of(entry, "numbers"), f"{key}.numbers",
                              f"{number} already belongs to practice {numbers_seen[number]}",
                              "a Twilio number routes calls for one practice only")
            numbers_seen[number] = ident or ""
        front_desk = _read_phones(checker, entry, "front_desk", f"{key}.front_desk")
        timezone = _read_timezone(checker, entry, f"{key}.timezone")
        language = _read_language(checker, entry, f"{key}.language")
        calendars = _read_calendars(checker, entry, key, folder)
        closure_chain, after_hours_chain = _read_coverage(checker, entry, key)
        hours = _read_opening_hours(checker, entry, key)
        instructions = checker.text(entry, "instructions", f"{key}.instructions") or ""
        ring_seconds = _read_int(checker, entry, "ring_seconds", f"{key}.ring_seconds", 5, 120, 20)
        greetings = _read_greetings(checker, entry, "greetings", f"{key}.greetings")
        texts = _read_greetings(checker, entry, "texts", f"{key}.texts", TEXTS)
        urgent = _read_urgent_contact(checker, entry, f"{key}.urgent_contact")
        emergency_line = _read_urgent_contact(checker, entry, f"{key}.emergency_line", "emergency_line")
        profession = checker.text(entry, "profession", f"{key}.profession") or "other"
        if profession not in PROFESSIONS:
            close = difflib.get_close_matches(profession, PROFESSIONS, n=1)
            checker.error(checker.line_of(entry, "profession"), f"{key}.profession", f'unknown profession "{profession}"',
                          (f'did you mean "{close[0]}"? ' if close else "") + f"use one of: {', '.join(PROFESSIONS)}")
        briefing_days = _read_briefing_days(checker, entry, f"{key}.briefing_days")
        sms = entry.get("sms")
        sms_e164 = _read_phone(checker, str(sms), checker.line_of(entry, "sms"), f"{key}.sms") if sms else None
        email = _read_email(checker, entry, f"{key}.email")
        voicemail_notices = checker.text(entry, "voicemail_notices", f"{key}.voicemail_notices") or "right_away"
        if voicemail_notices not in VOICEMAIL_NOTICES:
            close = difflib.get_close_matches(voicemail_notices, VOICEMAIL_NOTICES, n=1)
            checker.error(checker.line_of(entry, "voicemail_notices"), f"{key}.voicemail_notices",
                          f'unknown choice "{voicemail_notices}"',
                          (f'did you mean "{close[0]}"? ' if close else "") + f"use one of: {', '.join(VOICEMAIL_NOTICES)}")
        if checker.error_count() > before:
            raw_id = entry.get("id")
            if isinstance(raw_id, str) and _ID.match(raw_id):
                broken.add(raw_id)
            continue
        if ident and name and numbers and front_desk and timezone and language and closure_chain:
            practices.append(Practice(
                id=ident, name=name, numbers=numbers, front_desk=front_desk, timezone=timezone,
                language=language, calendars=calendars, closure_chain=closure_chain,
                after_hours_chain=after_hours_chain, opening_hours=hours, instructions=instructions,
                ring_seconds=ring_seconds, greetings=greetings, texts=texts, sms=sms_e164, email=email,
                urgent_contact=urgent, briefing_days=briefing_days, voicemail_notices=voicemail_notices,
                profession=profession, emergency_line=emergency_line,
            ))
    if "practices" in root and not practices and not broken and checker.error_count() == 0:
        checker.error(checker.line_of(root, "practices"), "practices", "no practice is configured",
                      "add at least one practice")
    return practices, broken


def _read_bool(checker: _Checker, entry: LineDict, name: str, key: str) -> bool:
    value = entry.get(name, False)
    if not isinstance(value, bool):
        checker.error(checker.line_of(entry, name), key, f"expected yes or no, got {_kind(value)}", "write true or false")
        return False
    return value


def _read_greetings(checker: _Checker, entry: LineDict, name: str, key: str,
                    table: dict[str, frozenset[str]] = GREETINGS) -> dict[str, str]:
    """Wording overrides (greetings or texts): a mapping of name to text, placeholders checked."""
    raw = entry.get(name)
    if raw is None:
        return {}
    mapping = checker.mapping(raw, key, checker.line_of(entry, name), {g: False for g in table})
    if mapping is None:
        return {}
    found = {}
    for greeting, placeholders in table.items():
        text = checker.text(mapping, greeting, f"{key}.{greeting}")
        if text is None:
            continue
        line = checker.line_of(mapping, greeting)
        try:
            used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
        except ValueError as exc:
            checker.error(line, f"{key}.{greeting}", f"the text cannot be read as a template: {exc}",
                          "write placeholders as {office}; a brace of its own is written {{ or }}")
            continue
        unknown = sorted(used - placeholders)
        if unknown:
            allowed = ", ".join("{" + p + "}" for p in sorted(placeholders)) or "none"
            checker.error(line, f"{key}.{greeting}", f"unknown placeholder {{{unknown[0]}}}",
                          f"the placeholders of this greeting are: {allowed}")
            continue
        if "reopening" in used and "reopens" in placeholders:
            # « fermé jusqu'au samedi 9 janvier, 9 heures » is heard as closed through Saturday.
            checker.warn(line, f"{key}.{greeting}", "{reopening} (« jusqu'au samedi 9 janvier, 9 heures ») is heard "
                         "as closed through that day", "write {reopens} (« Nous rouvrirons le samedi 9 janvier à 9 "
                         "heures. ») or {when} (« le samedi 9 janvier à 9 heures ») instead")
        found[greeting] = text
    return found


def _read_language_greetings(checker: _Checker, root: LineDict) -> dict[str, dict[str, str]]:
    raw = root.get("greetings")
    if raw is None:
        return {}
    mapping = checker.mapping(raw, "greetings", checker.line_of(root, "greetings"), {lang: False for lang in LANGUAGES})
    if mapping is None:
        return {}
    return {language: _read_greetings(checker, mapping, language, f"greetings.{language}")
            for language in LANGUAGES if language in mapping}


def _read_urgent_contact(checker: _Checker, entry: LineDict, key: str,
                         field: str = "urgent_contact") -> UrgentContact | None:
    raw = entry.get(field)
    if raw is None:
        return None
    mapping = checker.mapping(raw, key, checker.line_of(entry, field), {"name": True, "phone": True})
    if mapping is None:
        return None
    name = checker.text(mapping, "name", f"{key}.name")
    phone = mapping.get("phone")
    e164 = _read_phone(checker, str(phone), checker.line_of(mapping, "phone"), f"{key}.phone") if phone else None
    return UrgentContact(name, e164) if name and e164 else None


def _read_briefing_days(checker: _Checker, entry: LineDict, key: str) -> tuple[int, ...]:
    raw = entry.get("briefing_days")
    if raw is None:
        return (7, 1)
    values = [raw] if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 60
                                               for v in values):
        checker.error(checker.line_of(entry, "briefing_days"), key, f"expected days before the closure, got {_kind(raw)}",
                      "write a list of whole numbers from 0 to 60, such as [7, 1]")
        return (7, 1)
    return tuple(sorted(set(values), reverse=True))
