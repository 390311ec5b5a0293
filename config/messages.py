"""What Relève says of a configuration file it cannot take as it is, and how to fix it.

Each sentence is written once here, in English, under a key; a `ConfigSaid` is that sentence filled
in (calendars.messages.Said): plain English for `config check` and the logs, which keeps its key
and values, so that a page says it in the reader's language (the catalogs' `config.<key>` entries).
"""
from __future__ import annotations

from calendars.messages import Said

MESSAGES: dict[str, str] = {
    "kind.nothing": "nothing",
    "kind.mapping": "a mapping",
    "kind.list": "a list",
    "kind.value": "\"{value}\"",
    "not_a_mapping": "expected a mapping of keys ({allowed}), got {got}",
    "not_a_mapping.fix": "indent the keys under it, one `key: value` per line",
    "secret": "secrets are not read from the configuration file",
    "secret.fix": "secrets never go in the YAML file: remove this key and set the environment variable instead "
                  "(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMTP_PASSWORD, or the same name with _FILE pointing at "
                  "a file that holds it)",
    "unknown_key": "unknown key",
    "did_you_mean": "did you mean \"{close}\"?",
    "keys_allowed": "the keys allowed here are: {allowed}",
    "missing_key": "missing required key \"{name}\"",
    "missing_key.fix": "add `{name}:` under {key}",
    "no_value": "no value is given",
    "no_value.fix": "write its value after `{name}:`, or indent the lines that belong under it",
    "not_text": "expected some text, got {got}",
    "not_a_list_of_values": "expected a list of values, got {got}",
    "not_a_list_of_values.fix": "write it as [a, b] or one `- item` per line",
    "yaml": "not valid YAML: {detail}",
    "yaml.fix": "check the indentation and quoting around this line",
    "service_twice": "service and greetings are set in more than one file",
    "service_twice.fix": "keep them in one file of the folder (they are in {file} already)",
    "no_practices_key.fix": "add `practices:` with one entry each",
    "not_a_list": "expected a list, got {got}",
    "not_a_list.fix": "write one `- id: …` entry per {entry}",
    "bad_id": "\"{ident}\" is not a valid id",
    "bad_id.fix": "use lower-case letters, digits, - and _ only, e.g. cabinet-dupont",
    "id_twice": "the id \"{ident}\" is used twice",
    "id_twice.fix": "give each one its own id",
    "unknown_gender": "unknown gender \"{gender}\"",
    "unknown_gender.fix": "write feminine (« la clinique … est fermée ») or masculine (« le cabinet … est fermé »)",
    "phone_as_number": "{raw} was read as a number, which loses a leading + or 0",
    "phone_as_number.fix": "put the phone number in quotes, e.g. \"+33 1 45 67 89 10\"",
    "not_international": "\"{text}\" is not in international format",
    "not_international.fix": "write it with its country code, as +33 1 45 67 89 10 or +1 514 555 0123",
    "not_international_hint.fix": "write it with its country code, as +33 1 45 67 89 10 or +1 514 555 0123 "
                                  "({text} in {region} would be {e164})",
    "not_a_phone": "\"{text}\" is not a phone number: {detail}",
    "not_a_phone.fix": "write it in international format, e.g. +33 1 45 67 89 10",
    "invalid_phone": "\"{text}\" is not a valid phone number",
    "invalid_phone.fix": "check the digits: a wrong or missing digit is the usual cause",
    "no_phone": "the list of phone numbers is empty",
    "no_phone.fix": "list at least one number",
    "unknown_language": "unknown language \"{raw}\"",
    "speaks": "Relève speaks {languages}",
    "did_you_mean_speaks": "did you mean \"{close}\"? Relève speaks {languages}",
    "not_an_email": "\"{text}\" is not an email address",
    "not_an_email.fix": "write it as name@example.fr",
    "unknown_kind": "unknown kind \"{kind}\"",
    "one_of": "use one of: {choices}",
    "did_you_mean_one_of": "did you mean \"{close}\"? use one of: {choices}",
    "not_a_base_address": "\"{address}\" is not a base address",
    "not_a_base_address.fix": "write the https:// address Twilio calls, without a path: https://releve.example.fr",
    "not_a_whole_number": "expected a whole number from {low} to {high}, got {got}",
    "unknown_zone": "unknown time zone \"{name}\"",
    "unknown_zone.fix": "use an IANA zone name such as Europe/Paris or America/Montreal",
    "unknown_office": "no covering office has the id \"{office}\"",
    "declare_office.fix": "declare it under offices: (known: {known})",
    "office_twice": "the same covering office appears twice in the chain",
    "office_twice.fix": "list each office once",
    "empty_chain": "the coverage chain is empty: callers would reach nobody",
    "empty_chain.fix": "list at least one covering office id",
    "calendars_not_a_list.fix": "write one `- file.ics` or `- source: https://…` per calendar",
    "not_a_location": "expected a file or an address, got {got}",
    "scheme": "\"{scheme}://\" addresses are not read",
    "scheme.fix": "use the calendar's https:// or webcal:// address: a private calendar address is a password and "
                  "must not travel in clear",
    "no_calendar_file": "calendar file \"{path}\" does not exist",
    "no_calendar_file.fix": "check the name; a relative path starts from the configuration file's folder",
    "not_ranges": "expected opening ranges, got {got}",
    "not_ranges.fix": "write [\"08:30-12:30\", \"14:00-19:00\"] or closed",
    "not_a_range": "\"{text}\" is not an opening range",
    "not_a_range.fix": "write it as \"08:30-12:30\" (24-hour clock; 24:00 for midnight)",
    "ranges_overlap": "opening ranges overlap",
    "ranges_overlap.fix": "make each range end before the next starts",
    "never_open": "the practice is never open",
    "never_open.fix": "give at least one day an opening range, or remove opening_hours",
    "number_taken": "{number} already belongs to practice {other}",
    "number_taken.fix": "a Twilio number routes calls for one practice only",
    "unknown_profession": "unknown profession \"{profession}\"",
    "unknown_choice": "unknown choice \"{choice}\"",
    "not_days": "expected days before the closure, got {got}",
    "not_days.fix": "write a list of whole numbers from 0 to 60, such as [7, 1]",
    "no_model": "no faster-whisper model in \"{folder}\" (a folder holding model.bin, config.json, tokenizer.json)",
    "no_model.fix": "give `model:` the folder of a CTranslate2 Whisper model installed on this host (README, "
                    "Transcription)",
    "not_a_service_sid": "\"{sid}\" is not a Conversational Intelligence service SID",
    "not_a_service_sid.fix": "copy the service's SID (GA followed by 32 characters) from Twilio's console",
    "no_services": "Twilio transcribes with a Conversational Intelligence service per language: none is given",
    "no_services.fix": "add `twilio_services:` with a service SID for each language, e.g. fr-FR: GA…",
    "no_practice": "no practice is configured",
    "no_practice.fix": "add at least one practice",
    "not_yes_no": "expected yes or no, got {got}",
    "not_yes_no.fix": "write true or false",
    "not_a_template": "the text cannot be read as a template: {detail}",
    "not_a_template.fix": "write placeholders as {{office}}; a brace of its own is written {{{{ or }}}}",
    "unknown_placeholder": "unknown placeholder {{{name}}}",
    "placeholders.fix": "the placeholders of this greeting are: {allowed}",
    "reopening": "{{reopening}} (« jusqu'au samedi 9 janvier, 9 heures ») is heard as closed through that day",
    "reopening.fix": "write {{reopens}} (« Nous rouvrirons le samedi 9 janvier à 9 heures. ») or {{when}} (« le "
                     "samedi 9 janvier à 9 heures ») instead",
}


class ConfigSaid(Said):
    """A sentence of the configuration's MESSAGES, filled in."""

    table = MESSAGES
    catalog = "config"


def close_or(close: list[str], key: str, /, **values: object) -> ConfigSaid:
    """« did you mean "x"? … » when a close match was found, else the sentence `key` alone."""
    if close:
        return ConfigSaid(f"did_you_mean_{key}", close=close[0], **values)
    return ConfigSaid(key, **values)
