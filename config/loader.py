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
from config.messages import ConfigSaid as S
from config.messages import close_or
from config.settings import (
    GREETINGS,
    LANGUAGES,
    OFFICE_KINDS,
    PROFESSIONS,
    TEXTS,
    TRANSCRIBERS,
    VOICEMAIL_NOTICES,
    WEEKDAYS,
    CalendarSource,
    CoveringOffice,
    Name,
    OpeningHours,
    Practice,
    Service,
    Settings,
    Transcription,
    UrgentContact,
)
from config.yamlfile import LineDict, LineList, load_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HOURS = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})\s*$")
_SECRET_WORDS = ("token", "password", "secret", "account_sid", "api_key")

PRACTICE_KEYS = {
    "id": True, "name": True, "numbers": True, "front_desk": True, "timezone": True,
    "language": True, "calendars": True, "coverage": True, "opening_hours": False,
    "instructions": False, "ring_seconds": False, "greetings": False, "texts": False, "sms": False,
    "email": False, "urgent_contact": False, "briefing_days": False, "voicemail_notices": False,
    "profession": False, "emergency_line": False, "urgent_words": False,
}
OFFICE_KEYS = {
    "id": True, "kind": True, "name": True, "phone": True, "language": True,
    "sms": False, "email": False, "ask_to_accept": False, "ring_seconds": False,
}
TOP_KEYS = {"practices": True, "offices": True, "service": False, "greetings": False}
_FOLDER_KEYS = {"practices": False, "offices": False, "service": False, "greetings": False}  # each file of a folder
SERVICE_KEYS = {"refresh_minutes": False, "horizon_days": False, "public_url": False, "retention_days": False,
                "calendar_alert_hours": False, "transcription": False}
TRANSCRIPTION_KEYS = {"engine": True, "model": False, "twilio_services": False}
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
            self.error(line, key, S("not_a_mapping", allowed=", ".join(allowed), got=_kind(value)),
                       S("not_a_mapping.fix"))
            return None
        misspelt: set[str] = set()
        for name in value:
            name_s = str(name)
            if name_s in allowed:
                continue
            where = value.key_lines.get(name_s, value.line)
            path = name_s if key == "(top)" else f"{key}.{name_s}"
            if _names_a_secret(name_s, value[name]):
                self.error(where, path, S("secret"), S("secret.fix"))
                continue
            close = difflib.get_close_matches(name_s, list(allowed), n=1)
            fix = S("did_you_mean", close=close[0]) if close else S("keys_allowed", allowed=", ".join(allowed))
            self.error(where, path, S("unknown_key"), fix)
            misspelt.update(close)
        for name, required in allowed.items():
            # A misspelt required key is reported once, as a misspelling, not again as missing.
            if required and name not in value and name not in misspelt:
                self.error(value.line, key, S("missing_key", name=name), S("missing_key.fix", name=name, key=key))
            elif required and name in value and value[name] is None:
                # `timezone:` with nothing after it; left unreported, the entry would silently be dropped.
                self.error(value.key_lines.get(name, value.line), f"{key}.{name}", S("no_value"),
                           S("no_value.fix", name=name))
        return value

    def section(self, parent: LineDict, name: str, key: str, allowed: dict[str, bool]) -> LineDict | None:
        """An optional mapping under `name` (None when it is not there or is not a mapping)."""
        raw = parent.get(name)
        return None if raw is None else self.mapping(raw, key, self.line_of(parent, name), allowed)

    def line_of(self, parent: LineDict, name: str) -> int:
        return parent.key_lines.get(name, parent.line)

    def text(self, parent: LineDict, name: str, key: str) -> str | None:
        value = parent.get(name)
        if value is None:
            return None
        if isinstance(value, (LineDict, LineList)) or not str(value).strip():
            self.error(self.line_of(parent, name), key, S("not_text", got=_kind(value)))
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
            self.error(self.line_of(parent, name), key, S("not_a_list_of_values", got=_kind(value)),
                       S("not_a_list_of_values.fix"))
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
        return S("kind.nothing")
    if isinstance(value, LineDict):
        return S("kind.mapping")
    if isinstance(value, LineList):
        return S("kind.list")
    return S("kind.value", value=str(value))


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
            checker.error(mark.line + 1 if mark else None, "(syntax)", S("yaml", detail=str(exc.problem)),
                          S("yaml.fix"))
            return LoadedConfig(None, tuple(checker.problems))
        except yaml.YAMLError as exc:
            checker.error(None, "(syntax)", S("yaml", detail=str(exc)))
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
        checker.error(None, "service", S("service_twice"), S("service_twice.fix", file=with_service[0][0].name))
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
        checker.error(1, "practices", S("missing_key", name="practices"), S("no_practices_key.fix"))
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
        checker.error(checker.line_of(root, name), name, S("not_a_list", got=_kind(value)),
                      S("not_a_list.fix", entry=name[:-1]))
        return []
    return list(zip(value.item_lines, value, strict=True))


def _read_id(checker: _Checker, entry: LineDict, kind: str, index: int, seen: set[str]) -> str | None:
    raw = entry.get("id")
    if raw is None:
        return None
    ident = str(raw)
    line = checker.line_of(entry, "id")
    if not _ID.match(ident):
        checker.error(line, f"{kind}[{index}].id", S("bad_id", ident=ident), S("bad_id.fix"))
        return None
    if ident in seen:
        checker.error(line, f"{kind}[{ident}].id", S("id_twice", ident=ident), S("id_twice.fix"))
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
        checker.error(checker.line_of(mapping, "gender"), f"{key}.name.gender", S("unknown_gender", gender=gender),
                      S("unknown_gender.fix"))
        return None
    plural = _read_bool(checker, mapping, "plural", f"{key}.name.plural")
    if not (written and spoken):
        return None
    return Name(written, spoken, GENDERS[gender.lower()] if gender else None, plural)


def _read_phone(checker: _Checker, raw: Any, line: int | None, key: str) -> str | None:
    """A phone number in international form, returned as E.164 (+33145678910)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        # YAML reads an unquoted +33142001122 as 33142001122, and 0142001122 as an octal number.
        checker.error(line, key, S("phone_as_number", raw=raw), S("phone_as_number.fix"))
        return None
    text = str(raw).strip()
    fix = S("not_international.fix")
    for region in ("FR", "CA"):
        try:
            guess = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(guess):
            e164 = phonenumbers.format_number(guess, phonenumbers.PhoneNumberFormat.E164)
            fix = S("not_international_hint.fix", text=text, region=region, e164=e164)
            break
    if not text.startswith("+"):
        checker.error(line, key, S("not_international", text=text), fix)
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        checker.error(line, key, S("not_a_phone", text=text, detail=str(exc)), S("not_a_phone.fix"))
        return None
    if not phonenumbers.is_valid_number(number):
        checker.error(line, key, S("invalid_phone", text=text), S("invalid_phone.fix"))
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _read_phones(checker: _Checker, entry: LineDict, name: str, key: str) -> tuple[str, ...]:
    values = checker.text_list(entry, name, key)
    line = checker.line_of(entry, name)
    raw = entry.get(name)
    if isinstance(raw, LineList) and not raw:
        checker.error(line, key, S("no_phone"), S("no_phone.fix"))
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
    checker.error(line, key, S("unknown_language", raw=raw), close_or(close, "speaks", languages=", ".join(LANGUAGES)))
    return None


def _read_email(checker: _Checker, entry: LineDict, key: str) -> str | None:
    text = checker.text(entry, "email", key)
    if text is None:
        return None
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", text):
        checker.error(checker.line_of(entry, "email"), key, S("not_an_email", text=text), S("not_an_email.fix"))
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
            checker.error(checker.line_of(entry, "kind"), f"{key}.kind", S("unknown_kind", kind=kind),
                          S("one_of", choices=", ".join(OFFICE_KINDS)))
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
    entry = checker.section(root, "service", "service", SERVICE_KEYS)
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
                          S("not_a_base_address", address=address), S("not_a_base_address.fix"))
            continue
        public_urls.append(f"https://{parts.netloc.lower()}")
    return Service(refresh=timedelta(minutes=refresh), horizon=timedelta(days=horizon),
                   public_urls=tuple(dict.fromkeys(public_urls)), retention=timedelta(days=retention),
                   calendar_alert=timedelta(hours=alert), transcription=_read_transcription(checker, entry))


def _read_transcription(checker: _Checker, service: LineDict) -> Transcription:
    """`service.transcription`: none (the default), twilio (a Conversational Intelligence service
    per language) or local (a faster-whisper model folder on this host)."""
    entry = checker.section(service, "transcription", "service.transcription", TRANSCRIPTION_KEYS)
    if entry is None:
        return Transcription()
    engine = checker.text(entry, "engine", "service.transcription.engine") or "none"
    line = checker.line_of(entry, "engine")
    if engine not in TRANSCRIBERS:
        close = difflib.get_close_matches(engine, TRANSCRIBERS, n=1)
        checker.error(line, "service.transcription.engine", S("unknown_choice", choice=engine),
                      close_or(close, "one_of", choices=", ".join(TRANSCRIBERS)))
        return Transcription()
    model = checker.text(entry, "model", "service.transcription.model")
    if engine == "local":
        # Like a calendar file: a relative path starts from the configuration file's folder.
        folder = (Path(checker.file).parent / Path(model).expanduser()).resolve() if model else None
        if folder is None or not (folder / "model.bin").is_file():
            checker.error(checker.line_of(entry, "model") if model else line, "service.transcription.model",
                          S("no_model", folder=model or ""), S("no_model.fix"))
            return Transcription()
        model = str(folder)
    services: dict[str, str] = {}
    raw_services = entry.get("twilio_services")
    if raw_services is not None:
        mapping = checker.mapping(raw_services, "service.transcription.twilio_services",
                                  checker.line_of(entry, "twilio_services"), {lang: False for lang in LANGUAGES})
        for language in LANGUAGES:
            if mapping is None:
                break
            sid = checker.text(mapping, language, f"service.transcription.twilio_services.{language}")
            if sid is None:
                continue
            if not re.fullmatch(r"GA[0-9a-fA-F]{32}", sid):
                checker.error(checker.line_of(mapping, language), f"service.transcription.twilio_services.{language}",
                              S("not_a_service_sid", sid=sid), S("not_a_service_sid.fix"))
                continue
            services[language] = sid
    if engine == "twilio" and not services:
        if raw_services is None:
            checker.error(line, "service.transcription.twilio_services", S("no_services"), S("no_services.fix"))
        return Transcription()
    return Transcription(engine, model if engine == "local" else None, services)


def _read_int(checker: _Checker, entry: LineDict, name: str, key: str, low: int, high: int, default: int) -> int:
    value = entry.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        checker.error(checker.line_of(entry, name), key, S("not_a_whole_number", low=low, high=high, got=_kind(value)))
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
    fix = S("did_you_mean", close=close[0]) if close else S("unknown_zone.fix")
    checker.error(line, key, S("unknown_zone", name=name), fix)
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
            fix = (S("did_you_mean", close=close[0]) if close
                   else S("declare_office.fix", known=", ".join(known) or S("kind.nothing")))
            checker.error(line, key, S("unknown_office", office=office_id), fix)
    if len(set(chain)) != len(chain):
        checker.error(line, key, S("office_twice"), S("office_twice.fix"))
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
                      S("empty_chain"), S("empty_chain.fix"))
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
        checker.error(checker.line_of(entry, "calendars"), f"{key}.calendars", S("not_a_list", got=_kind(raw)),
                      S("calendars_not_a_list.fix"))
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
            checker.error(line, item_key, S("not_a_location", got=_kind(item)))
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
        checker.error(line, key, S("scheme", scheme=parts.scheme), S("scheme.fix"))
        return None
    path = Path(location).expanduser()
    if not path.is_absolute():
        path = folder / path
    if not path.is_file():
        checker.error(line, key, S("no_calendar_file", path=str(path)), S("no_calendar_file.fix"))
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
            checker.error(line, day_key, S("not_ranges", got=_kind(value)), S("not_ranges.fix"))
            days.append(())
            continue
        spans = []
        for text in ranges:
            span = _parse_range(str(text))
            if span is None:
                checker.error(line, day_key, S("not_a_range", text=text), S("not_a_range.fix"))
                continue
            spans.append(span)
        spans.sort()
        if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
            checker.error(line, day_key, S("ranges_overlap"), S("ranges_overlap.fix"))
        days.append(tuple(spans))
    if not any(days):
        checker.error(checker.line_of(entry, "opening_hours"), f"{key}.opening_hours",
                      S("never_open"), S("never_open.fix"))
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
                              S("number_taken", number=number, other=numbers_seen[number]), S("number_taken.fix"))
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
        urgent_words = checker.text_list(entry, "urgent_words", f"{key}.urgent_words")
        profession = checker.text(entry, "profession", f"{key}.profession") or "other"
        if profession not in PROFESSIONS:
            close = difflib.get_close_matches(profession, PROFESSIONS, n=1)
            checker.error(checker.line_of(entry, "profession"), f"{key}.profession",
                          S("unknown_profession", profession=profession),
                          close_or(close, "one_of", choices=", ".join(PROFESSIONS)))
        briefing_days = _read_briefing_days(checker, entry, f"{key}.briefing_days")
        sms = entry.get("sms")
        sms_e164 = _read_phone(checker, str(sms), checker.line_of(entry, "sms"), f"{key}.sms") if sms else None
        email = _read_email(checker, entry, f"{key}.email")
        voicemail_notices = checker.text(entry, "voicemail_notices", f"{key}.voicemail_notices") or "right_away"
        if voicemail_notices not in VOICEMAIL_NOTICES:
            close = difflib.get_close_matches(voicemail_notices, VOICEMAIL_NOTICES, n=1)
            checker.error(checker.line_of(entry, "voicemail_notices"), f"{key}.voicemail_notices",
                          S("unknown_choice", choice=voicemail_notices),
                          close_or(close, "one_of", choices=", ".join(VOICEMAIL_NOTICES)))
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
                profession=profession, emergency_line=emergency_line, urgent_words=urgent_words,
            ))
    if "practices" in root and not practices and not broken and checker.error_count() == 0:
        checker.error(checker.line_of(root, "practices"), "practices", S("no_practice"), S("no_practice.fix"))
    return practices, broken


def _read_bool(checker: _Checker, entry: LineDict, name: str, key: str) -> bool:
    value = entry.get(name, False)
    if not isinstance(value, bool):
        checker.error(checker.line_of(entry, name), key, S("not_yes_no", got=_kind(value)), S("not_yes_no.fix"))
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
            checker.error(line, f"{key}.{greeting}", S("not_a_template", detail=str(exc)), S("not_a_template.fix"))
            continue
        unknown = sorted(used - placeholders)
        if unknown:
            allowed = ", ".join("{" + p + "}" for p in sorted(placeholders)) or "none"
            checker.error(line, f"{key}.{greeting}", S("unknown_placeholder", name=unknown[0]),
                          S("placeholders.fix", allowed=allowed))
            continue
        if "reopening" in used and "reopens" in placeholders:
            # « fermé jusqu'au samedi 9 janvier, 9 heures » is heard as closed through Saturday.
            checker.warn(line, f"{key}.{greeting}", S("reopening"), S("reopening.fix"))
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
        checker.error(checker.line_of(entry, "briefing_days"), key, S("not_days", got=_kind(raw)), S("not_days.fix"))
        return (7, 1)
    return tuple(sorted(set(values), reverse=True))
