"""The Twilio messaging webhooks: a text to a closed practice reaches the covering office, and the
patient knows where it went.

Every text is stored first, before anything else is tried: in the database, or in the spool when
the database cannot take it. What follows (forwarding, the automatic reply) only queues outbound
messages, which the dispatcher sends after the answer to Twilio. A stored text is always handled:
its handling is written in the same transaction as the messages it queues, so a failure leaves it
unhandled, and Twilio's retry of the same MessageSid, or the sweep, resumes it.

No loops: a text from any Relève number, or one that reads as an automatic reply, is not
forwarded; a text is never forwarded to a Relève number; and when one sender's texts to one
destination come faster than a person types (`LOOP_LIMIT` in `LOOP_WINDOW`), Relève stops
forwarding them and tells the practice once.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, request
from sqlalchemy.engine import Connection
from twilio.twiml.messaging_response import MessagingResponse  # type: ignore[import-untyped]

from calendars.model import fold
from config.phones import e164
from config.settings import CoveringOffice, Practice, Settings
from coverage.flask import contact_log, snapshots
from coverage.privacy import masked
from coverage.schedule import Answer
from coverage.snapshots import Directory, Snapshots
from coverage.store import Store, StoreUnavailable, outbox
from coverage.store import contacts as log
from coverage.wording.labels import words
from coverage.wording.numbers import format_phone
from coverage.wording.texts import MAX_BODY, auto_reply, media_text, text
from routing.signature import twilio_signed
from routing.webhooks import form_text, now, whole_number

logger = logging.getLogger(__name__)

blueprint = Blueprint("messaging", __name__)

# Single-word texts that Twilio itself acts on (and still forwards to us): never answered.
OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "ARRETE"}
OPT_IN = {"START", "YES", "UNSTOP"}
HELP = {"HELP", "INFO"}
# What another automatic reply looks like: it is forwarded (a person may need to know), never
# answered (answering a robot starts a loop of robots).
_AUTOMATIC = re.compile(r"reponse automatique|auto.?reply|automatic reply|message automatique|ne pas repondre|"
                        r"do not reply|no.?reply|absent du bureau|out of office")
# Relève's own texts coming back (a forward, an automatic reply, a text back), from an office's
# robot or another Relève: neither forwarded nor answered, or two of them would loop.
_OUR_OWN = re.compile(r"votre message a ete transmis|your message was passed on|"
                      r"n'a pas pu prendre votre appel|could not take your call|"
                      r"\[[^\]]{2,120}\]\s*(sms de|text from)\b")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LOOP_LIMIT = 6                      # forwards from one sender to one destination…
LOOP_WINDOW = timedelta(minutes=15)  # …within this long: more is a loop, not a person
SWEEP_AFTER = timedelta(seconds=30)  # a text this old and still unhandled is the sweep's
SWEEP_WITHIN = timedelta(days=7)     # older ones are left as they are (and stay in the log)


def _empty() -> Response:
    return Response(str(MessagingResponse()), mimetype="text/xml")


def _media() -> tuple[tuple[str, str], ...]:
    count = whole_number(request.form.get("NumMedia"), 2) or 0
    return tuple((form_text(f"MediaUrl{i}", 500), form_text(f"MediaContentType{i}", 100))
                 for i in range(min(count, 10)) if form_text(f"MediaUrl{i}", 500))


@blueprint.post("/sms")
@twilio_signed
def incoming_text() -> Response | tuple[str, int]:
    """A text to a practice's number: stored, then forwarded, and answered once if closed."""
    message_sid, called = form_text("MessageSid"), form_text("To")
    if not message_sid or not called:
        return "MessageSid and To are required", 400
    practices = snapshots()
    practice_id = practices.practice_id_for_number(called)
    body = _CONTROL.sub("", request.form.get("Body", ""))[:MAX_BODY * 4]
    received = log.TextIn(message_sid, practice_id or "", form_text("From") or "unknown", called, body, _media(),
                          now())
    stored = contact_log().write(received)
    if stored is None:
        logger.warning("text %s is in the spool: it is handled once the database takes it", message_sid)
        return _empty()
    if practice_id is None:
        logger.error("text %s to a number no practice has (%s): stored, not forwarded", message_sid, masked(called))
        if practices.directory().practices:  # known to be no practice's: nothing more will come of it
            with contact_log().store.begin() as connection:
                log.set_text_handling(connection, message_sid, handling="no_practice")
        return _empty()
    # New, or Twilio retrying one whose handling failed: handle it now if it never was.
    handle_stored(contact_log().store, practices, message_sid)
    current_app.extensions["releve.dispatcher"].wake()
    return _empty()


def handle_stored(store: Store, practices: Snapshots, message_sid: str) -> bool:
    """Handle a stored text that was never handled; True when it was handled now."""
    try:
        with store.begin() as connection:
            row = log.text_row(connection, message_sid)
            if row is None or row.handling is not None:
                return False
            # Stored while no practice could be looked up (the database was down): looked up now.
            practice_id = row.practice_id or practices.practice_id_for_number(row.called)
            try:
                view = practices.near_view(practice_id or "")
            except KeyError:
                log.set_text_handling(connection, message_sid, handling="no_practice")
                return True
            if not row.practice_id:
                log.set_text_handling(connection, message_sid, practice_id=view.practice.id)
            received = log.TextIn(row.message_sid, view.practice.id, row.sender, row.called, row.body,
                                  tuple(tuple(line.split(" ", 1)) for line in row.media.splitlines() if " " in line),
                                  row.received_at)
            handle_text(connection, view.settings, practices.directory(), view.practice, received,
                        practices.answer(view.practice.id, row.received_at))
            return True
    except StoreUnavailable:
        logger.warning("text %s is stored but the database failed while handling it: the sweep will", message_sid)
    except Exception:  # noqa: BLE001 - the text is stored; it is handled at the next try instead
        logger.exception("text %s is stored but could not be handled; Twilio's retry or the sweep will", message_sid)
    return False


def sweep(store: Store, practices: Snapshots, at: datetime, after: timedelta = SWEEP_AFTER) -> int:
    """Handle the texts left unhandled for `after` (a failure, a spool replayed late); how many were."""
    try:
        with store.begin() as connection:
            rows = log.unhandled_texts(connection, at - after)
    except StoreUnavailable:
        return 0
    handled = 0
    for row in rows:
        if row.received_at.timestamp() > (at - SWEEP_WITHIN).timestamp():
            handled += handle_stored(store, practices, row.message_sid)
            continue
        # Forwarding it days late, with an automatic reply about a closure long over, would
        # mislead: it stays in the contact log, on the practice's callback list.
        with store.begin() as connection:
            log.set_text_handling(connection, row.message_sid, handling="late")
        logger.warning("text %s was never handled and is over %d days old: kept, not forwarded", row.message_sid,
                       SWEEP_WITHIN.days)
    if handled:
        logger.info("sweep: %d stored text(s) handled late", handled)
    return handled


def handle_text(connection: Connection, settings: Settings, directory: Directory, practice: Practice,
                received: log.TextIn, answer: Answer) -> None:
    """Decide what becomes of a stored text, and queue the messages that follow from it."""
    # "Arrêt !": French puts a space before ! and ?, and fold() turns a no-break space into a space.
    keyword = fold(received.body).strip(" \t\r\n.!?").upper()
    base = {"was_open": answer.is_open,
            "reason": None if answer.is_open else (answer.reason or "")[:300] if answer.closure else "outside_hours"}
    sender = e164(received.sender)
    if keyword in OPT_OUT or keyword in OPT_IN:
        if sender:
            outbox.set_opted_out(connection, sender, keyword, received.at, keyword in OPT_OUT)
        log.set_text_handling(connection, received.message_sid, **base,
                              handling="opt_out" if keyword in OPT_OUT else "opt_in")
        return
    if keyword in HELP:
        log.set_text_handling(connection, received.message_sid, **base, handling="help")
        return
    if received.sender in directory.releve_numbers:
        # Another Relève practice's number (or this one's): its forwards and replies are not a
        # patient, and answering them is how two practices covering each other loop.
        log.set_text_handling(connection, received.message_sid, **base, handling="loop")
        return
    if _is_ours(directory, practice, received.sender):
        # A covering office answering the forward to the practice's number: not sent back to it.
        log.set_text_handling(connection, received.message_sid, **base, handling="from_office")
        return
    if _OUR_OWN.search(fold(received.body)):
        log.set_text_handling(connection, received.message_sid, **base, handling="loop")
        return
    forward = _forward_text(practice, received)
    if answer.is_open:
        where = _forward(connection, directory, practice, practice.sms, practice.email, forward, received)
        log.set_text_handling(connection, received.message_sid, **base,
                              handling=where[1] if where else "not_forwarded", forwarded_to=where[0] if where else None)
        return
    office = _office_for_texts(settings, directory, answer.chain)
    for skipped in answer.chain[:answer.chain.index(office.id)]:
        _refuse_releve_number(connection, practice, received, settings.offices[skipped].sms)
    where = _forward(connection, directory, practice, office.sms, office.email, forward, received)
    replied = False
    if where and where[1] == "forwarded" and _may_reply_to(received):
        period = f"{answer.closure.uid}@{answer.closure.start.isoformat()}" if answer.closure else \
            f"outside_hours@{answer.reopens_at.isoformat() if answer.reopens_at else ''}"
        replied = outbox.queue_sms(
            connection, practice_id=practice.id, purpose="auto_reply", sender=practice.numbers[0],
            to=received.sender, body=auto_reply(practice, office, answer.reopens_at, received.at), at=received.at,
            dedupe_key=f"auto_reply:{practice.id}:{period}:{received.sender}") is not None
    log.set_text_handling(connection, received.message_sid, **base, handling=where[1] if where else "not_forwarded",
                          forwarded_to=where[0] if where else None, office_id=office.id, replied=replied)


def _office_for_texts(settings: Settings, directory: Directory, chain: tuple[str, ...]) -> CoveringOffice:
    """The first office of the chain that can receive a text: the reply must name the office that
    has it."""
    for office_id in chain:
        office = settings.offices[office_id]
        if _sms_of(directory, office.sms) or office.email:
            return office
    return settings.offices[chain[0]]


def _sms_of(directory: Directory, number: str | None) -> str | None:
    """A mobile texts may be forwarded to: never a Relève number (that would loop)."""
    return number if number and number not in directory.releve_numbers else None


def _forward_text(practice: Practice, received: log.TextIn) -> str:
    sender = format_phone(received.sender) if e164(received.sender) else received.sender
    media = ""
    if received.media:
        links = " ".join(url for url, _ in received.media)
        media = " " + media_text(practice, len(received.media), links)
    body = received.body.strip()
    head = text(practice, "forward", sender=sender, body="")
    room = MAX_BODY - len(head) - len(media)
    if len(body) > room:
        body = body[: max(room - 1, 0)] + "…"
    return text(practice, "forward", sender=sender, body=body) + media


def _forward(connection: Connection, directory: Directory, practice: Practice, sms: str | None, email: str | None,
             body: str, received: log.TextIn) -> tuple[str, str] | None:
    """To a mobile when there is one, else to an email address: (destination, handling), or None
    when there is nowhere to forward it. The handling is "loop" when this sender's texts to this
    destination come too fast: they are then kept, not forwarded, and the practice is told."""
    key = f"forward:{received.message_sid}"
    if sms and _sms_of(directory, sms) is None:
        _refuse_releve_number(connection, practice, received, sms)
    destination = _sms_of(directory, sms) or email
    if destination is None:
        logger.warning("practice %s: a text from %s has nowhere to be forwarded (no sms or email)",
                       practice.id, masked(received.sender))
        return None
    if log.forwards_between(connection, received.sender, destination, received.at - LOOP_WINDOW) >= LOOP_LIMIT:
        logger.warning("practice %s: texts from %s to %s come too fast: a loop; forwarding stopped", practice.id,
                       masked(received.sender), masked(destination) if destination.startswith("+") else destination)
        minutes = int(LOOP_WINDOW.total_seconds() // 60)
        _tell_practice(connection, practice, received, f"loop:{received.sender}:{destination}",
                       f"Relève : les SMS de {received.sender} arrivent trop vite pour être ceux d'une personne (plus "
                       f"de {LOOP_LIMIT} en {minutes} minutes, sans doute un répondeur automatique). Ils ne sont plus "
                       f"transférés à {destination} ; ils restent dans la liste des contacts.",
                       f"Relève: texts from {received.sender} come too fast to be a person's (more than {LOOP_LIMIT} "
                       f"in {minutes} minutes, likely an automatic responder). They are no longer forwarded to "
                       f"{destination}; they stay in the contact list.")
        return destination, "loop"
    if _sms_of(directory, sms):
        outbox.queue_sms(connection, practice_id=practice.id, purpose="forward", sender=practice.numbers[0],
                         to=destination, body=body, at=received.at, dedupe_key=key)
    else:
        subject = words(practice.language)["forward_subject"].format(practice=practice.name.written,
                                                                     sender=received.sender)
        outbox.queue_email(connection, practice_id=practice.id, purpose="forward", to=destination, subject=subject,
                           text=body, html=None, at=received.at, dedupe_key=key)
    return destination, "forwarded"


def _refuse_releve_number(connection: Connection, practice: Practice, received: log.TextIn, sms: str | None) -> None:
    """A covering office's mobile that is a Relève number is never forwarded to: the practice learns why."""
    if not sms:
        return
    _tell_practice(connection, practice, received, f"releve-number:{sms}",
                   f"Relève : un SMS n'a pas été transféré au {sms}, qui est un numéro Relève (deux cabinets qui se "
                   "couvrent l'un l'autre tourneraient en boucle). Indiquez le portable de l'équipe dans la "
                   "configuration. Le SMS reste dans la liste des contacts.",
                   f"Relève: a text was not forwarded to {sms}, which is a Relève number (two practices covering each "
                   "other would loop). Give the staff's mobile in the configuration. The text stays in the contact "
                   "list.")


def _tell_practice(connection: Connection, practice: Practice, received: log.TextIn, about: str, french: str,
                   english: str) -> None:
    """Tell the practice, once a day for each thing, that texts stopped going somewhere."""
    is_french = practice.language.startswith("fr")
    message = french if is_french else english
    key = f"told:{practice.id}:{about}:{received.at.astimezone(practice.timezone).date()}"
    if practice.email:
        outbox.queue_email(connection, practice_id=practice.id, purpose="loop", to=practice.email,
                           subject="Relève : transfert de SMS arrêté" if is_french else "Relève: text forwarding stopped",
                           text=message, html=None, at=received.at, dedupe_key=key)
    elif practice.sms:
        outbox.queue_sms(connection, practice_id=practice.id, purpose="loop", sender=practice.numbers[0],
                         to=practice.sms, body=message, at=received.at, dedupe_key=key)


def _is_ours(directory: Directory, practice: Practice, sender: str) -> bool:
    """The practice's own lines, or any covering office's."""
    return sender in {*practice.numbers, *practice.front_desk, practice.sms} or sender in directory.office_numbers


def _may_reply_to(received: log.TextIn) -> bool:
    """Only to a real number (never to a withheld sender, a short code or a SIP address), and
    never to another robot."""
    return e164(received.sender) is not None and not _AUTOMATIC.search(fold(received.body))


@blueprint.post("/sms/status")
@twilio_signed
def message_status() -> tuple[str, int]:
    """Twilio's status callback for a message we sent: queued, sent, delivered, failed…"""
    sid, status = form_text("MessageSid"), form_text("MessageStatus", 20)
    if not sid or not status:
        return "MessageSid and MessageStatus are required", 400
    known = contact_log().write(log.MessageStatus(sid, status, whole_number(request.form.get("ErrorCode"), 6), now()))
    if known is False:
        logger.info("status %s for message %s, which is not one of ours", status, sid)
    return "", 204
