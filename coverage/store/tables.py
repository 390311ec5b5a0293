"""Every table Relève keeps, in one place. The schema changes only through the migrations in
`coverage/store/migrations`; a test checks that the migrations give exactly these tables.

SQLAlchemy Core, not the ORM: the webhooks write one or two rows per request and must stay fast.
Patients' numbers and words are in `calls`, `call_legs`, `texts`, `messages`,
`callbacks` and `office_reports`:
the retention job deletes them after the retention period (`coverage.store.retention`).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite keeps no zone, so it is put back on reading."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime written to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


# -- the contact log ------------------------------------------------------------------------------

# Outcomes of a call, once known. A call with no outcome whose final status came is a hang-up.
FRONT_DESK = "front_desk"   # the practice itself answered
OFFICE = "office"           # a covering office took it (office_id says which)
VOICEMAIL = "voicemail"     # a message was recorded
HUNG_UP = "hung_up"         # the caller left before anyone answered and without a message
ANSWERED = "answered"       # the fallback's dial was answered (the practice's line or its first office)
URGENT_PRESSED = "pressed"  # calls.urgent: the caller pressed 1 before the beep

calls = Table(
    "calls", metadata,
    Column("id", Integer, primary_key=True),
    Column("call_sid", String(64), nullable=False, unique=True),
    Column("practice_id", String(64), nullable=False, index=True),
    Column("caller", String(64), nullable=False),   # E.164, or what Twilio sent when it is not a number
    Column("called", String(64), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("was_open", Boolean, nullable=False),
    Column("reason", String(300)),            # the closure's title; "outside_hours"; None when open
    Column("chain", String(500), nullable=False, default=""),
    Column("outcome", String(20)),
    Column("office_id", String(64)),
    Column("recording_url", String(500)),
    Column("recording_seconds", Integer),
    Column("status", String(20)),             # Twilio's final CallStatus
    Column("duration_seconds", Integer),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("recording_sid", String(64)),      # to delete the recording at Twilio after the retention period
    Column("urgent", String(300)),            # "pressed" (the caller pressed 1), or the words that mark it
    Column("urgent_told_at", UTCDateTime()),  # when the office on duty and the urgent contact were texted
    Index("ix_calls_started_at", "started_at"),
)

# A voicemail in words (coverage.transcripts): one row a voicemail, from the transcription's
# request to its text; retried a few times; deleted with the call after the retention period.
transcripts = Table(
    "transcripts", metadata,
    Column("call_sid", String(64), primary_key=True),
    Column("practice_id", String(64), nullable=False, index=True),
    Column("recording_sid", String(64), nullable=False),
    Column("language", String(10), nullable=False),
    Column("engine", String(20), nullable=False),
    Column("state", String(12), nullable=False, index=True),   # pending, working, done, failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("provider_ref", String(64)),                        # Twilio's transcript SID (GT…)
    Column("text", Text),
    Column("last_error", String(300)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# One leg per number dialled: the front desk, or each covering office in turn.
call_legs = Table(
    "call_legs", metadata,
    Column("id", Integer, primary_key=True),
    Column("call_sid", String(64), nullable=False),
    Column("step", Integer, nullable=False),
    Column("target", String(64), nullable=False),   # an office id, or "front_desk"
    Column("number", String(200), nullable=False),
    Column("dial_call_sid", String(64)),
    Column("status", String(20)),                   # DialCallStatus, or "declined" at the whisper
    Column("duration_seconds", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    # When the office pressed 1 at the whisper: what Relève itself saw, not Twilio's DialBridged.
    Column("accepted_at", UTCDateTime()),
    UniqueConstraint("call_sid", "step"),
)

# Every text received, stored before anything else is done with it.
texts = Table(
    "texts", metadata,
    Column("id", Integer, primary_key=True),
    Column("message_sid", String(64), nullable=False, unique=True),
    Column("practice_id", String(64), nullable=False, index=True),   # "" when no practice has the number
    Column("sender", String(64), nullable=False),
    Column("called", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("media", Text, nullable=False, default=""),               # one "url content-type" a line
    Column("received_at", UTCDateTime(), nullable=False),
    Column("was_open", Boolean),
    Column("reason", String(300)),
    # None until handled: "forwarded", "opt_out", "opt_in", "help", "from_office", "loop", "error", …
    Column("handling", String(20)),
    Column("forwarded_to", String(320)),
    Column("office_id", String(64)),
    Column("replied", Boolean, nullable=False, default=False),
    Index("ix_texts_sender_received", "sender", "received_at"),
    Index("ix_texts_received_at", "received_at"),
)

# -- outbound messages ----------------------------------------------------------------------------

# States, in the order a message goes through them; a late status callback never moves it back.
QUEUED, SENDING, SENT, DELIVERED, FAILED, OUTBOX = "queued", "sending", "sent", "delivered", "failed", "outbox"

messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),          # "sms" or "email"
    Column("practice_id", String(64), nullable=False, index=True),
    Column("purpose", String(40), nullable=False),       # "auto_reply", "forward", "text_back", …
    Column("recipient", String(320), nullable=False),
    Column("sender", String(32)),                        # the practice's Twilio number, for SMS
    Column("subject", String(300)),
    Column("body", Text, nullable=False),
    Column("html", Text),
    Column("state", String(12), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime()),
    Column("last_error", String(500)),
    Column("error_code", Integer),
    Column("provider_id", String(200), unique=True),     # Twilio's message SID
    Column("segments", Integer),
    Column("dedupe_key", String(300), unique=True),      # at most one message per key, ever
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_messages_created_at", "created_at"),
)

# Numbers that texted STOP (or ARRET…): nothing is sent to them until they text START. Kept past
# the retention period: forgetting an opt-out would text someone who asked not to be texted.
opt_outs = Table(
    "opt_outs", metadata,
    Column("number", String(32), primary_key=True),
    Column("keyword", String(20), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

# -- notices and follow-up ------------------------------------------------------------------------

notices = Table(
    "notices", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", String(64), nullable=False),
    Column("office_id", String(64), nullable=False),    # "" for the practice itself (follow-up)
    Column("period_key", String(300), nullable=False),
    Column("kind", String(20), nullable=False),         # briefing, update, cancellation, start, end, follow_up
    Column("slot", String(40), nullable=False),         # "7d" for a briefing 7 days ahead, a version for updates
    Column("version", String(20), nullable=False),
    Column("period_start", UTCDateTime(), nullable=False),
    Column("period_end", UTCDateTime(), nullable=False),
    Column("state", String(12), nullable=False),        # "queued", "skipped" (a later one replaced it), "no_channel"
    Column("message_id", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("practice_id", "office_id", "period_key", "kind", "slot"),
)

# -- what the worker read, for the web processes -------------------------------------------------

# One practice as the worker last read it: its settings, its schedule and its calendars' status,
# swapped together, so a call never sees settings without their schedule.
snapshots = Table(
    "snapshots", metadata,
    Column("practice_id", String(64), primary_key=True),
    Column("version", String(64), nullable=False),     # changes when any of the three changes
    Column("inputs", String(64), nullable=False),      # digest of what it was built from
    Column("settings", Text, nullable=False),          # JSON: the practice, its offices, service, greetings
    Column("schedule", LargeBinary, nullable=False),   # coverage.schedule.encode
    Column("near", LargeBinary),                       # the coming weeks of it (coverage.schedule.sliced)
    Column("status", Text, nullable=False),            # JSON: each calendar's state, the problems
    Column("built_at", UTCDateTime(), nullable=False),
)

# -- the service itself ---------------------------------------------------------------------------

# Sign-in attempts, shared by every web process, for the rate limit.
sign_in_attempts = Table(
    "sign_in_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False),         # "user:<name>" or "ip:<address>"
    Column("at", UTCDateTime(), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_sign_in_attempts_key_at", "key", "at"),
)

# Small facts the processes share: when the retention job last ran, the health of the spool.
service_state = Table(
    "service_state", metadata,
    Column("name", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# -- the practice's own space ----------------------------------------------------------------------

# A practice's staff: each user belongs to one practice and sees only its data. The host's
# administrator is not here (its credentials come from the environment) and sees every practice.
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),   # lower case: the sign-in name
    Column("practice_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False, default=""),
    Column("password_hash", String(300)),                        # None: signs in by emailed link only
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("disabled_at", UTCDateTime()),
)

# Emailed sign-in links: only a digest of the token is kept; each is used once, within minutes.
sign_in_links = Table(
    "sign_in_links", metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime()),
)

# A patient ticked off the callback list: every contact of theirs up to `covers_until` is dealt
# with; a later one puts them back on the list. Undoing keeps the row, with who undid it.
callbacks = Table(
    "callbacks", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", String(64), nullable=False),
    Column("patient", String(32), nullable=False),
    Column("covers_until", UTCDateTime(), nullable=False),
    Column("done_at", UTCDateTime(), nullable=False),
    Column("done_by", String(320), nullable=False),
    Column("undone_at", UTCDateTime()),
    Column("undone_by", String(320)),
    Index("ix_callbacks_practice_patient", "practice_id", "patient"),
)

# What a covering office reports on a contact it handled: R.242-61 (vets), R.4127-265 (dentists).
office_reports = Table(
    "office_reports", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", String(64), nullable=False),
    Column("office_id", String(64), nullable=False),
    Column("contact_kind", String(10), nullable=False),   # "call" or "text"
    Column("contact_ref", String(64), nullable=False),    # the call's or the text's SID
    Column("note", Text, nullable=False, default=""),
    Column("at", UTCDateTime(), nullable=False),
    UniqueConstraint("practice_id", "contact_kind", "contact_ref"),
)

# A covering office read its briefing sheet (of one version of the period's dates).
acknowledgements = Table(
    "acknowledgements", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", String(64), nullable=False),
    Column("office_id", String(64), nullable=False),
    Column("period_key", String(300), nullable=False),
    Column("version", String(20), nullable=False),
    Column("by_name", String(200), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    UniqueConstraint("practice_id", "office_id", "period_key", "version"),
)

# "Fermer maintenant": the practice closed by hand until a chosen time, with its chain.
closed_now = Table(
    "closed_now", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", String(64), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("reason", String(300), nullable=False, default=""),
    Column("chain", String(500), nullable=False, default=""),   # office ids; "" for the usual chain
    Column("set_by", String(320), nullable=False),
    Column("ended_early_at", UTCDateTime()),
    Column("ended_by", String(320)),
    Index("ix_closed_now_ends_at", "ends_at"),
)

# A problem the practice and the administrator are told of: once when it starts, once when solved.
alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", String(64), nullable=False),    # "" for the host itself
    Column("key", String(300), nullable=False),           # what the problem is, stable while it lasts
    Column("detail", Text, nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("resolved_at", UTCDateTime()),
    Index("ix_alerts_practice_key", "practice_id", "key"),
)
