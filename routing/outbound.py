"""Sending what the outbox holds: every notice, reply and forward goes out through here.

Messages are queued in the store (coverage.store.outbox) with what caused them. Delivery claims
one message at a time, with a lease that starts at that claim (a batch behind a slow mail server
never sends a message whose claim expired), sends it outside any transaction, and records the
result at once, so the window in which a crash can make a second copy is only the provider's
answer. A copy sent again after such a crash carries the same Message-ID.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from coverage.store import Store, outbox
from routing.transports import EmailTransport, NoRecordings, RecordingStore, SmsTransport, TransportError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transports:
    """Everything that leaves the machine: texts, emails, and the recordings kept at Twilio."""

    sms: SmsTransport
    email: EmailTransport
    status_callback: str | None = None  # the public URL of /twilio/sms/status, when known
    recordings: RecordingStore = NoRecordings()


def deliver_due(store: Store, transports: Transports, clock: Callable[[], datetime] | datetime,
                limit: int = 100) -> int:
    """Send what is due; returns how many messages were handled."""
    now = clock if isinstance(clock, datetime) else clock()
    with store.begin() as connection:
        due = outbox.due_ids(connection, now, limit)
    handled = 0
    for message_id in due:
        # The clock is read again for each message: its lease runs from its own claim.
        handled += deliver(store, transports, message_id, clock if isinstance(clock, datetime) else clock())
    return handled


def deliver(store: Store, transports: Transports, message_id: int, now: datetime) -> bool:
    """Try to send one message, if no other process has it. True if this call handled it."""
    with store.begin() as connection:
        message = outbox.claim(connection, message_id, now)
        if message is None:
            return False
        if message.kind == "sms" and outbox.is_opted_out(connection, message.recipient):
            outbox.record_refused_opt_out(connection, message_id, now)
            return True
    # Outside any transaction: the provider may take seconds, and nothing is locked meanwhile.
    try:
        if message.kind == "sms":
            sent = transports.sms.send_sms(message.sender, message.recipient, message.body, transports.status_callback)
        else:
            sent = transports.email.send_email(message.recipient, message.subject or "", message.body, message.html,
                                               message_key=f"{message.id}.{int(message.created_at.timestamp())}")
    except TransportError as exc:
        with store.begin() as connection:
            final = outbox.record_failure(connection, message, exc.message, exc.code, exc.permanent, now)
        logger.warning("message %s (%s, %s) %s: %s", message.id, message.purpose, message.kind,
                       "failed for good" if final else f"will be tried again (attempt {message.attempts + 1})",
                       exc.message)
        return True
    with store.begin() as connection:
        outbox.record_sent(connection, message, sent.state, sent.provider_id, sent.segments, now)
    return True
