"""The fixed words of pages, emails, notices and the command line.

English is written here, and is the msgid of each entry, its key the context; every other language
is a gettext catalog (coverage.wording.catalogs). A practice that is not a health practice has clients, not
patients: an entry that speaks of patients has a variant with the context `<key>.clients`.
French typography is in the catalogs: a no-break space before « : ; ! ? » and inside « », never in
what is sent by SMS (the no-break space is not in GSM-7).
"""
from __future__ import annotations

import re
from functools import cache
from gettext import NullTranslations
from typing import Any

from coverage.wording.catalogs import English, translations

_WORDS: dict[str, str] = {
    'open': 'Open',
    'closed': 'Closed',
    'outside_hours': 'outside opening hours',
    'closure': 'Closure',
    'covered_by': 'Covered by',
    'reopens': 'Reopens',
    'no_reopening': 'no reopening in the calendar',
    'times': '{count} times',
    'from_to': 'from {first} to {last}',
    'plan': 'Upcoming closures',
    'no_closure': 'No closure planned',
    'at': 'at',
    'then': 'then',
    'briefing_subject': 'Briefing: you are covering for {practice} ({span})',
    'update_subject': 'Change: covering for {practice} ({span})',
    'start_subject': 'Coverage starts: {practice}',
    'end_subject': 'Coverage ends: {practice}',
    'cancellation_subject': 'Cancelled: you no longer cover {practice} ({span})',
    'cancellation_sms': 'Relève: the closure of {practice} ({span}) is cancelled or no longer goes to you. You will not receive its calls.',
    'follow_up_subject': '{practice}: {patients} during the closure, {to_call} to call back',
    'briefing': 'Briefing sheet',
    'update_intro': 'The dates have changed since the previous sheet. Here is the up-to-date sheet.',
    'reinstated_subject': 'Back on: you are covering for {practice} after all ({span})',
    'reinstated_intro': 'This closure, announced as cancelled, is taking place after all. Here is the up-to-date sheet.',
    'intro': 'You are covering for {practice}.',
    'start_sms': 'Relève: from now on you are covering for {practice}, {span}. Reopens {reopening}. Sheet: {link}',
    'end_sms': 'Relève: coverage of {practice} has ended. Thank you! Contacts forwarded: {link}',
    'dates': 'Dates',
    'reopening': 'Reopens',
    'position': 'You are number {position} of {total} to be called',
    'chain': 'Order of calls',
    'nights': 'Outside opening hours (evenings, nights, weekends)',
    'nights_you': "You take the calls outside the practice's opening hours.",
    'practice': 'The practice',
    'name': 'Name',
    'numbers': "Patients' number",
    'front_desk': 'Front desk',
    'email': 'Email',
    'urgent': 'If something is serious, reach',
    'no_urgent': 'No emergency contact was given.',
    'you_receive': 'What you will receive',
    'calls': "Patients' calls, forwarded with their number. Before each call you hear:",
    'press_1': 'Press 1 to take the call; without an answer the call goes on to the next office.',
    'texts': "Patients' texts, forwarded to",
    'no_texts': "Patients' texts go to the first office of the list.",
    'callers_hear': 'What callers hear',
    'instructions': "The practice's instructions",
    'closure_notes': 'For this closure',
    'no_instructions': 'No particular instructions.',
    'contacts_link': 'The contacts forwarded during this closure',
    'contacts': 'Forwarded contacts',
    'no_contacts': 'No contact yet.',
    'follow_up': 'Follow-up list',
    'to_call': 'to call back',
    'done': 'Called back',
    'mark_done': 'Mark as called back',
    'withheld': 'Withheld number: cannot be called back',
    'call': 'Call',
    'text': 'Text',
    'taken_by': 'Taken by {office}',
    'front_desk_took': 'Taken by the front desk',
    'voicemail': 'Voicemail',
    'listen': 'listen',
    'hung_up': 'Hung up without a message',
    'text_forwarded': 'Text forwarded',
    'opted_out': 'Asked not to receive texts',
    'unknown': 'Outcome unknown',
    'expired': 'This link has expired or is not valid.',
    'cancelled': 'This closure was cancelled or no longer goes to you.',
    'summary': '{patients}, {calls}, {texts}; {to_call} to call back.',
    'print': 'Print',
    'text_forwarded_to': 'Text forwarded {to_office}',
    'forward_subject': 'Text for {practice} from {sender}',
    'error_title_400': 'This request cannot be used',
    'error_title_403': 'Access refused',
    'error_title_404': 'Page not found',
    'error_title_405': 'This page cannot be used this way',
    'error_title_410': 'This link is no longer in use',
    'error_title_413': 'What was sent is too large',
    'error_title_429': 'Too many attempts',
    'error_title_500': 'Something went wrong',
    'error_help_400': 'Go back, check what you entered and try again.',
    'error_help_403': 'Sign in with an account of this practice, or ask the practice for access.',
    'error_help_404': 'The address may be mistyped, or the link was replaced by a newer one. Open the latest email or text from Relève, or ask the practice for a new link.',
    'error_help_405': 'Open the page from its link rather than from its address.',
    'error_help_410': 'Ask the practice for a new link.',
    'error_help_413': 'Send less at once.',
    'error_help_429': 'Wait a few minutes, then try again.',
    'error_help_500': 'Calls and texts still go through. Try again in a few minutes.',
    'error_bad_at': '“{at}” is not a date and time: write it as ?at=2026-12-28T10:00',
    'error_bad_day': '“{day}” is not a day: write it as 2026-12-28',
    'error_form_expired': 'The form has expired: reload the page and try again.',
    'error_need_name': 'Write your name: the practice sees who read the sheet.',
    'error_not_forwarded': 'This contact was not forwarded to you during this closure.',
    'error_not_on_list': 'This number is not on this follow-up list.',
    'error_not_on_callbacks': 'This number is not on the callback list.',
    'sign_out': 'Sign out',
    'tagline': 'Calls covered while the practice is closed',
    'sign_in_title': 'Sign in',
    'sign_in_wrong': 'Wrong user name or password.',
    'sign_in_too_many': 'Too many attempts. Try again in {minutes} minutes.',
    'sign_in_link_gone': 'This sign-in link was used already or has expired: ask for another one.',
    'sign_in_no_admin': 'No administrator is configured: the host sets RELEVE_ADMIN_USER and RELEVE_ADMIN_PASSWORD.',
    'sign_in_link_sent': 'If this address has an account, a sign-in link has just been sent to it. It works for 20 minutes.',
    'sign_in_user': 'Email address (or user name)',
    'sign_in_password': 'Password',
    'sign_in_button': 'Sign in',
    'sign_in_without_password': 'Without a password',
    'sign_in_by_link': 'Get a link by email',
    'sign_in_send_link': 'Send the link',
    'sign_in_use_link': 'Sign in to Relève',
    'unavailable_title': 'Unavailable',
    'unavailable_heading': 'The database does not answer',
    'unavailable_text': 'Calls and texts still go through, and nothing they leave is lost: it is all written as soon as the database answers. Try again in a few minutes.',
    'opening_hours': 'Opening hours',
    'closed_day': 'closed',
    'days_from_to': '{first} to {last}',
    'callers_hear_night': 'What callers hear at night, in the evening and at the weekend',
    'office_note': 'Handled by {office}',
    'voicemail_subject': 'Voicemail from {number} ({practice})',
    'voicemails_subject': '{count} voicemails ({practice})',
    'voicemail_intro': 'A message was left while the practice was closed.',
    'digest_subject': '{practice}: since closing, {patients}, {to_call} to call back',
    'digest_intro': 'What came in since closing ({span}):',
    'callbacks': 'To call back',
    'open_list': 'Open the callback list',
    'reached': 'Reached since',
    'reached_by': 'Reached since: {what}',
    'ticked_by': 'Called back, ticked by {who} on {when}',
    'undo': 'Undo',
    'mark_handled': 'Mark handled',
    'note_placeholder': 'Note for the practice (optional)',
    'handled': 'Handled',
    'acknowledge': 'I have read the sheet',
    'your_name': 'Your name',
    'acknowledged': 'Read by {who} on {when}',
    'link_subject': 'Relève: your sign-in link',
    'link_text': 'To sign in to Relève, open this link within {minutes} minutes:\n\n{link}\n\nIt works once. If you did not ask for it, ignore this message.',
    'now': 'Now',
    'open_now': 'Open',
    'closed_now': 'Closed',
    'why_outside_hours': 'outside opening hours',
    'by_day': 'During the day',
    'by_night': 'Nights, evenings and weekends',
    'covers_now': 'Covering now',
    'reopens_at': 'Reopens: {when}',
    'no_chain': 'nobody (voicemail)',
    'close_now': 'Close now',
    'close_until': 'Until',
    'reason': 'Reason (optional)',
    'reason_placeholder': 'Training, vacation…',
    'chain_choice': 'Calls go to',
    'usual_chain': 'The usual offices ({chain})',
    'closed_by_hand': 'Closed by hand until {when} (by {who})',
    'reopen_now': 'Reopen now',
    'ends_in_past': 'The end is already past: choose a time to come.',
    'too_long': "At most 14 days: a longer closure goes in the practice's calendar.",
    'unknown_office': 'This office is not in the configuration.',
    'not_a_time': 'The end cannot be read: write it as 2026-12-28T18:00.',
    'timeline': 'The next two weeks',
    'months': 'The coming months',
    'legend_open': 'open',
    'legend_closed': 'closed, covered',
    'legend_night': 'outside hours',
    'legend_closed_now': 'closed by hand',
    'calendars': 'Calendars',
    'read_at': 'read on {when}',
    'unchanged_since': 'unchanged since {when}',
    'failing_since': 'unreadable since {when}:',
    'copy_in_use': 'the copy of {when} stays in use',
    'never_read': 'never read',
    'contact_log': 'Contact log',
    'filter': 'Filter',
    'day': 'Day',
    'number': 'Number',
    'export_csv': 'Export as CSV',
    'no_contact_found': 'No contact for this filter.',
    'what_became': 'Outcome',
    'while': 'Practice',
    'while_open': 'open',
    'while_closed': 'closed',
    'alerts': 'Alerts',
    'briefed': 'Briefing sheets',
    'not_read_yet': 'not read yet',
    'users': 'Users',
    'add_user': 'Add a user',
    'remove': 'Remove',
    'password_optional': 'Password (optional: otherwise, a link by email)',
    'your_practice': 'Your practice',
    'all_practices': 'All practices',
    'alert_calendar': 'The calendar {calendar} could not be read since {since}: {error}',
    'alert_no_office': 'The closure "{closure}" of {start} has no covering office to reach: calls would go straight to voicemail. Name an office in the configuration or in the event.',
    'alert_subject': 'Relève — alert ({practice}): {what}',
    'alert_solved_subject': 'Relève — solved ({practice}): {what}',
    'alert_text': 'Relève found a problem:\n\n{detail}\n\nYou will get another message once it is solved.',
    'alert_solved_text': 'This problem is solved:\n\n{detail}',
    'at_line': '{source}, line {line}',
    'urgent_sms': 'Relève: possibly urgent message for {practice}, from {number}, {when} ({why}).{transcript} Listen: {link}',
    'urgent_why_pressed_sms': 'the caller pressed 1',
    'urgent_why_words_sms': 'words heard: {words}',
    'urgent_subject': 'Relève: possibly urgent message ({practice})',
    'possibly_urgent': 'Possibly urgent',
    'urgent_why_pressed': 'the caller pressed 1',
    'urgent_why_words': 'words heard: {words}',
    'transcript': 'Transcript',
    'transcript_pending': 'transcript on its way',
    'error': 'error',
    'warning': 'warning',
    'event_named': 'event “{summary}”',
    'last_copy_in_use': 'The last good copy (read {when} UTC) stays in use.',
    'last_copy_in_use_undated': 'The last good copy stays in use.',
    'no_copy_in_use': 'No copy of this calendar is in use.',
    'skipped_events': 'Events skipped',
    'log_down': 'Contact log: the database does not answer.',
    'log_down_since': 'Contact log: the database does not answer since {since} UTC.',
    'calls_still_go': 'Calls still go through.',
    'spool_disk_refused': 'The disk refuses the spool too ({error}): the events are kept in memory.',
    'since_utc': '(since {since} UTC)',
    'config_refused': 'The last change to the configuration is refused; the previous version stays in use.',
    'config_errors': 'The configuration has errors; the practices concerned keep their last good version.',
    'config_kept': 'Keep their last good version: {ids}.',
    'removed_practices': 'Practices removed by the last reload: {ids}',
    'removed_practices_help': '(their calls now go to the fallback). If a file was read half-written, write it again in one go.',
    'removed_offices': 'Covering offices removed: {ids}',
    'no_practice': 'No practice is stored yet.',
    'no_practice_help': 'The background process ({command}) reads the configuration and the calendars: is it running?',
    'sent_messages': 'Messages sent',
    'when_utc': 'When (UTC)',
    'state': 'State',
    'to': 'To',
    'message': 'Message',
    'state_outbox': 'local outbox',
    'state_queued': 'queued',
    'state_sending': 'sending',
    'state_sent': 'sent',
    'state_delivered': 'delivered',
    'state_failed': 'failed',
    'no_message_yet': 'No message yet. Without Twilio or SMTP credentials, messages stay here, in the local outbox.',
    'users_title': "The practices' users",
    'no_user': 'No user yet.',
    'by_password': 'password or link',
    'by_link': 'link by email',
    'user_email': 'Email address',
    'user_name': 'Name',
    'user_practice': 'Practice',
    'add': 'Add',
    'user_not_an_email': '“{email}” is not an email address: users sign in with their address.',
    'user_short_password': 'The password is too short: at least {count} characters (or none: the user signs in by an emailed link).',
    'user_no_practice': 'There is no practice “{practice}”; the practices are: {known}.',
    'user_no_practice_yet': 'There is no practice “{practice}”: the worker has stored none yet (at its first read).',
    'user_exists': '{email} has an account already.',
}

# Entries whose words change with a count (« 1 fermeture », « 3 fermetures »): singular, plural.
_PLURALS: dict[str, tuple[str, str]] = {
    'closures_count': ('{count} closure', '{count} closures'),
    'alert_messages': ('{count} message (text or email) could not be sent: see the outbox.', '{count} messages (text or email) could not be sent: see the outbox.'),
    'alert_contact_log': ('The contact log is not written to the database since {since}: {count} event waits in the spool (calls still go through).', 'The contact log is not written to the database since {since}: {count} events wait in the spool (calls still go through).'),
    'count_patients': ('{count} patient', '{count} patients'),
    'count_calls': ('{count} call', '{count} calls'),
    'count_texts': ('{count} text', '{count} texts'),
    'count_days': ('{count} day', '{count} days'),
    'count_pending': ("{count} event (calls, voicemails, texts) waits in this process's spool and will be written as soon as the database answers.", "{count} events (calls, voicemails, texts) wait in this process's spool and will be written as soon as the database answers."),
}




def _clients(text: str) -> str:
    return re.sub(r"(?<!\{)\b([Pp])atient(e?s?)\b", lambda m: ("C" if m.group(1) == "P" else "c") + "lient" + m.group(2), text)


# Every entry for the catalogs, with the clients' variant of each that speaks of patients.
ENGLISH: English = {**_WORDS, **_PLURALS,
                    **{f"{key}.clients": _clients(english) for key, english in _WORDS.items() if "atient" in english},
                    **{f"{key}.clients": (_clients(one), _clients(many)) for key, (one, many) in _PLURALS.items()
                       if "atient" in one}}


class Plural:
    """An entry whose form follows `count` when formatted (French counts 0 and 1 in the singular)."""

    def __init__(self, key: str, language: str, clients: bool) -> None:
        self.key, self.language, self.clients = key, language, clients

    def format(self, count: int | str, **values: Any) -> str:
        return counted(self.key, int(count), self.language, clients=self.clients).format(count=count, **values)

    def __str__(self) -> str:
        return self.format(2)


class Words(dict[str, Any]):
    """The words of a page or a notice in one language, by key (`w.intro`, `w["intro"]`)."""

    def __init__(self, language: str, clients: bool) -> None:
        found = translations(language)
        super().__init__({key: _one(found, key, english, clients) for key, english in _WORDS.items()})
        self.update({key: Plural(key, language, clients) for key in _PLURALS})
        self.language, self.clients = language, clients

    def summary_of(self, counts: dict[str, int]) -> dict[str, str]:
        """A follow-up list's counts in words: « 3 patients », « 1 appel », « 2 SMS »."""
        return summary_words(counts, self.language, clients=self.clients)


def _one(found: NullTranslations, key: str, english: str, clients: bool) -> str:
    if clients and "atient" in english:
        return found.pgettext(f"{key}.clients", _clients(english))
    return found.pgettext(key, english)


@cache
def words(language: str, clients: bool = False) -> Words:
    """The words of briefings, notices, follow-up lists and pages, in the language; `clients`
    for a practice whose callers are clients (not a health practice)."""
    return Words(language, clients)


def words_for(practice: Any) -> Words:
    """The words of a practice's own pages and notices: its language, patients or clients."""
    return words(practice.language, clients=not practice.is_health)


def label(key: str, language: str) -> str:
    """A fixed word of the interface in the language."""
    found: str = words(language)[key]
    return found


def counted(key: str, count: int, language: str, *, clients: bool = False) -> str:
    """The singular or plural form of a counted entry, not yet formatted."""
    one, many = _PLURALS[key]
    found = translations(language)
    if clients and "atient" in one:
        return found.npgettext(f"{key}.clients", _clients(one), _clients(many), count)
    return found.npgettext(key, one, many, count)


def summary_words(counts: dict[str, int], language: str, *, clients: bool = False) -> dict[str, str]:
    return {"patients": counted("count_patients", counts["patients"], language, clients=clients)
            .format(count=counts["patients"]),
            "calls": counted("count_calls", counts["calls"], language).format(count=counts["calls"]),
            "texts": counted("count_texts", counts["texts"], language).format(count=counts["texts"]),
            "to_call": str(counts["to_call"])}
