"""The Twilio messaging webhooks: a text to a closed practice reaches the covering office, and the
patient knows where it went.

Every text is stored first, in its own transaction, before anything else is tried; what follows
(forwarding, the automatic reply) only queues outbound messages, which are sent after the answer
to Twilio, by the dispatcher.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from twilio.twiml.messaging_response import MessagingResponse  # type: ignore[import-untyped]

from calendars.model import fold
from config.settings import Practice, Settings
from coverage import contacts
from coverage.flask import get_registry
from coverage.schedule import Answer
from coverage.wording import format_phone
from routing import outbound
from routing.signature import twilio_signed
from routing.texts import MAX_BODY, auto_reply, text

logger = logging.getLogger(__name__)

blueprint = Blueprint("messaging", __name__)

# Single-word texts that Twilio itself acts on (and still forwards to us): never answered.
OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "ARRETE"}
OPT_IN = {"START", "YES", "UNSTOP"}
HELP = {"HELP", "INFO"}
# What another automatic reply looks like: answering it could start a loop of robots.
_AUTOMATIC = re.compile(r"reponse automatique|auto.?reply|automatic reply|message automatique|ne pas repondre|"
                        r"do not reply|no.?reply|absent du bureau|out of office")


def _empty() -> Response:
    return Response(str(MessagingResponse()), mimetype="text/xml")


def _required(name: str) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        abort(400, description=f"the form field {name} is required")
    return value


def _media() -> tuple[tuple[str, str], ...]:
    try:
        count = int(request.form.get("NumMedia", "0") or 0)
    except ValueError:
        abort(400, description="NumMedia must be a whole number")
    return tuple((request.form.get(f"MediaUrl{i}", ""), request.form.get(f"MediaContentType{i}", ""))
                 for i in range(min(count, 10)) if request.form.get(f"MediaUrl{i}"))


@blueprint.post("/sms")
@twilio_signed
def incoming_text() -> Response:
    """A text to a practice's number: stored, then forwarded, and answered once if closed."""
    message_sid, sender, called = _required("MessageSid"), _required("From"), _required("To")
    registry, engine, now = get_registry(), current_app.extensions["releve.db"], current_app.config["RELEVE_CLOCK"]()
    settings = registry.settings
    practice = settings.practice_for_number(called) if settings else None
    received = contacts.TextIn(message_sid, practice.id if practice else "", sender, called,
                               request.form.get("Body", ""), _media(), now)
    with engine.begin() as connection:
        if not contacts.record_text(connection, received):
            return _empty()  # Twilio retried: stored and handled already
    if practice is None or settings is None:
        logger.error("text %s to %s, which no practice has: stored, not forwarded", message_sid, called)
        return _empty()
    try:
        with engine.begin() as connection:
            handle_text(connection, settings, practice, received, registry.answer(practice.id, now))
    except Exception:  # noqa: BLE001 - the text is stored; it must show up rather than vanish
        logger.exception("text %s was stored but could not be handled", message_sid)
        with engine.begin() as connection:
            contacts.set_text_handling(connection, message_sid, handling="error")
    current_app.extensions["releve.dispatcher"].wake()
    return _empty()


def handle_text(connection: Any, settings: Settings, practice: Practice, received: contacts.TextIn,
                answer: Answer) -> None:
    """Decide what becomes of a stored text, and queue the messages that follow from it."""
    # "Arrêt !": French puts a space before ! and ?, and fold() turns a no-break space into a space.
    keyword = fold(received.body).strip(" \t\r\n.!?").upper()
    base = {"was_open": answer.is_open,
            "reason": None if answer.is_open else (answer.reason or "") if answer.closure else "outside_hours"}
    if keyword in OPT_OUT or keyword in OPT_IN:
        outbound.set_opted_out(connection, received.sender, keyword, received.at, keyword in OPT_OUT)
        contacts.set_text_handling(connection, received.message_sid, **base,
                                   handling="opt_out" if keyword in OPT_OUT else "opt_in")
        return
    if keyword in HELP:
        contacts.set_text_handling(connection, received.message_sid, **base, handling="help")
        return
    if _is_ours(settings, practice, received.sender):
        # A covering office answering the forward to the practice's number: not sent back to it.
        contacts.set_text_handling(connection, received.message_sid, **base, handling="from_office")
        return
    forward = _forward_text(practice, received)
    if answer.is_open:
        where = _forward(connection, practice, practice.sms, practice.email, forward, received)
        contacts.set_text_handling(connection, received.message_sid, **base, handling="forwarded" if where else
                                   "not_forwarded", forwarded_to=where)
        return
    # The first office of the chain that can receive a text: the reply must name the office that has it.
    office = next((settings.offices[o] for o in answer.chain if settings.offices[o].sms or settings.offices[o].email),
                  settings.offices[answer.chain[0]])
    where = _forward(connection, practice, office.sms, office.email, forward, received)
    replied = False
    if _may_reply_to(received):
        period = f"{answer.closure.uid}@{answer.closure.start.isoformat()}" if answer.closure else \
            f"outside_hours@{answer.reopens_at.isoformat() if answer.reopens_at else ''}"
        replied = outbound.queue_sms(
            connection, practice_id=practice.id, purpose="auto_reply", sender=practice.numbers[0],
            to=received.sender, body=auto_reply(practice, office, answer.reopens_at, received.at), at=received.at,
            dedupe_key=f"auto_reply:{practice.id}:{period}:{received.sender}") is not None
    contacts.set_text_handling(connection, received.message_sid, **base, handling="forwarded" if where else
                               "not_forwarded", forwarded_to=where, office_id=office.id, replied=replied)


def _forward_text(practice: Practice, received: contacts.TextIn) -> str:
    sender = format_phone(received.sender) if received.sender.startswith("+") else received.sender
    media = ""
    if received.media:
        links = " ".join(url for url, _ in received.media)
        media = " " + text(practice, "media", count=str(len(received.media)), links=links)
    body = received.body.strip()
    head = text(practice, "forward", sender=sender, body="")
    room = MAX_BODY - len(head) - len(media)
    if len(body) > room:
        body = body[: max(room - 1, 0)] + "…"
    return text(practice, "forward", sender=sender, body=body) + media


def _forward(connection: Any, practice: Practice, sms: str | None, email: str | None, body: str,
             received: contacts.TextIn) -> str | None:
    """To a mobile when there is one, else to an email address; the destination, or None."""
    key = f"forward:{received.message_sid}"
    if sms:
        outbound.queue_sms(connection, practice_id=practice.id, purpose="forward", sender=practice.numbers[0],
                           to=sms, body=body, at=received.at, dedupe_key=key)
        return sms
    if email:
        subject = (f"SMS pour {practice.name.written} de {received.sender}" if practice.language.startswith("fr")
                   else f"Text for {practice.name.written} from {received.sender}")
        outbound.queue_email(connection, practice_id=practice.id, purpose="forward", to=email, subject=subject,
                             text=body, html=None, at=received.at, dedupe_key=key)
        return email
    logger.warning("practice %s: a text from %s has nowhere to be forwarded (no sms or email)",
                   practice.id, received.sender)
    return None


def _is_ours(settings: Settings, practice: Practice, sender: str) -> bool:
    ours = {*practice.numbers, *practice.front_desk, practice.sms}
    ours |= {number for office in settings.offices.values() for number in (office.phone, office.sms)}
    return sender in ours


def _may_reply_to(received: contacts.TextIn) -> bool:
    """Never to a withheld sender, a short code (not a +E.164 number) or another robot."""
    if not received.sender.startswith("+") or len(received.sender) < 9:
        return False
    return not _AUTOMATIC.search(fold(received.body))


@blueprint.post("/sms/status")
@twilio_signed
def message_status() -> tuple[str, int]:
    """Twilio's status callback for a message we sent: queued, sent, delivered, failed…"""
    sid, status = _required("MessageSid"), _required("MessageStatus")
    code = request.form.get("ErrorCode", "").strip()
    now: datetime = current_app.config["RELEVE_CLOCK"]()
    with current_app.extensions["releve.db"].begin() as connection:
        known = outbound.record_status(connection, sid, status, int(code) if code.isdigit() else None, now)
    if not known:
        logger.info("status %s for message %s, which is not one of ours", status, sid)
    return "", 204
