"""The only place that talks to Twilio's REST API or to a mail server.

Each transport sends one message or raises TransportError saying whether trying again can help
(healthchecks' TransportError, Notify's SmsClient). Without credentials, the outbox transport
keeps messages on this machine, for `make run` and for trying Relève without accounts.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Protocol

import requests
from twilio.base.exceptions import TwilioRestException  # type: ignore[import-untyped]
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from config.env import Smtp
from coverage.privacy import masked

logger = logging.getLogger(__name__)

# Twilio error codes that no retry will fix: the number opted out (21610), is not a valid number
# (21211, 21614), cannot receive SMS (21612, 21408: region not enabled), body too long (21617).
PERMANENT_TWILIO_CODES = {21211, 21408, 21610, 21612, 21614, 21617}
TIMEOUT_SECONDS = 10


class TransportError(Exception):
    """Sending failed; `permanent` says that trying again will fail the same way."""

    def __init__(self, message: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code


@dataclass(frozen=True)
class Sent:
    """What the provider said: its id for the message (for status callbacks), and its state."""

    provider_id: str | None
    state: str  # "sent", or "outbox" when kept locally
    segments: int | None = None


class SmsTransport(Protocol):
    def send_sms(self, sender: str, to: str, body: str, status_callback: str | None) -> Sent: ...


class EmailTransport(Protocol):
    def send_email(self, to: str, subject: str, text: str, html: str | None, message_key: str = "") -> Sent: ...


def twilio_client(account_sid: str, auth_token: str, api_base_url: str | None = None) -> Client:
    """The official client, with a timeout (it waits forever by default: a Twilio that stops
    answering would hold the dispatcher, and every message behind it, until the process restarts)."""
    client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS))
    if api_base_url:
        # A stand-in of Twilio's API (the tests run one on loopback); production leaves it unset.
        client.api.base_url = api_base_url.rstrip("/")
        client.intelligence.base_url = api_base_url.rstrip("/")
    return client


class TwilioSms:
    """SMS through Twilio's REST API, with the official client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def send_sms(self, sender: str, to: str, body: str, status_callback: str | None) -> Sent:
        options = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, from_=sender, body=body, **options)
        except TwilioRestException as exc:
            code = int(exc.code) if exc.code else None
            # 429 and 5xx are Twilio asking to come back later; 401 (20003) is our credentials, which
            # the host fixes (a rotated auth token): the texts must go out then, not be lost. Other
            # 4xx with a code are final.
            permanent = code in PERMANENT_TWILIO_CODES or (400 <= exc.status < 500 and exc.status not in (401, 429)
                                                           and code not in (20003, 20429, None))
            raise TransportError(f"Twilio refused the SMS to {masked(to)}: {exc.msg} (error {code}, HTTP {exc.status})",
                                 permanent=permanent, code=code) from None
        except Exception as exc:  # noqa: BLE001 - network errors of any kind: try again later
            raise TransportError(f"Twilio could not be reached: {type(exc).__name__}: {exc}", permanent=False) from None
        segments = int(message.num_segments) if message.num_segments else None
        return Sent(message.sid, "sent", segments)


class SmtpEmail:
    """Email through an SMTP server: a plain-text part, and an HTML part when there is one."""

    def __init__(self, settings: Smtp) -> None:
        self.settings = settings

    def send_email(self, to: str, subject: str, text: str, html: str | None, message_key: str = "") -> Sent:
        message = EmailMessage()
        message["From"] = formataddr((self.settings.sender_name, self.settings.sender))
        message["To"] = to
        message["Subject"] = subject
        # Stable: the key names the stored message, so a copy sent again after a crash (the server
        # stored it, the process died before recording it) is the same message to the mail client.
        domain = self.settings.sender.partition("@")[2] or "releve.invalid"
        message_id = f"<releve.{message_key or 'message'}@{domain}>"
        message["Message-ID"] = message_id
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        try:
            with smtplib.SMTP(self.settings.host, self.settings.port, timeout=TIMEOUT_SECONDS) as smtp:
                if self.settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.settings.username and self.settings.password:
                    smtp.login(self.settings.username, self.settings.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            # 5xx: no such address; 4xx (greylisting, a full mailbox): the server asks to come back later.
            code, reply = next(iter(exc.recipients.values()))
            raise TransportError(f"the mail server refused {to}: {code} {reply.decode(errors='replace')}",
                                 permanent=code >= 500, code=code) from None
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server will refuse again; 4xx: it asks to come back later.
            raise TransportError(f"the mail server answered {exc.smtp_code} {exc.smtp_error!r}",
                                 permanent=exc.smtp_code >= 500, code=exc.smtp_code) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"the mail server could not be reached: {exc}", permanent=False) from None
        return Sent(message_id, "sent")


class RecordingStore(Protocol):
    def delete_recording(self, sid: str) -> bool: ...

    def delete_transcript(self, sid: str) -> bool: ...

    def fetch_recording(self, sid: str) -> tuple[bytes, str] | None: ...


RECORDING_MAX_BYTES = 40 * 1024 * 1024   # a voicemail of an hour in MP3 is about 15 MiB


class TwilioRecordings:
    """Voicemail recordings kept at Twilio: deleted with the call after the retention period."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def delete_recording(self, sid: str) -> bool:
        """Delete it at Twilio; False when Twilio had it no longer (deleted already)."""
        return _deleted(lambda: self.client.recordings(sid).delete(), f"the recording {sid}")

    def delete_transcript(self, sid: str) -> bool:
        """Delete a voicemail's transcript at Twilio (Conversational Intelligence); False when it
        was gone already."""
        return _deleted(lambda: self.client.intelligence.v2.transcripts(sid).delete(), f"the transcript {sid}")

    def fetch_recording(self, sid: str) -> tuple[bytes, str] | None:
        """The voicemail's audio (MP3) and its content type, fetched with the account's credentials
        for the practice's page; None when Twilio has it no longer. The address is built from the
        SID, never taken from a request."""
        base = str(self.client.api.base_url).rstrip("/")
        url = f"{base}/2010-04-01/Accounts/{self.client.account_sid}/Recordings/{sid}.mp3"
        try:
            with requests.get(url, auth=(self.client.username, self.client.password), timeout=TIMEOUT_SECONDS,
                              stream=True) as answer:
                if answer.status_code == 404:
                    return None
                if answer.status_code != 200:
                    raise TransportError(f"Twilio did not give the recording {sid} (HTTP {answer.status_code})",
                                         permanent=False)
                audio = answer.raw.read(RECORDING_MAX_BYTES + 1, decode_content=True)
                if len(audio) > RECORDING_MAX_BYTES:
                    raise TransportError(f"the recording {sid} is larger than a voicemail can be", permanent=True)
                return audio, answer.headers.get("Content-Type", "audio/mpeg").split(";")[0]
        except requests.RequestException as exc:
            raise TransportError(f"Twilio could not be reached: {type(exc).__name__}", permanent=False) from None


def _deleted(delete: Callable[[], object], what: str) -> bool:
    """Delete something at Twilio: True when it was, False when Twilio had it no longer; any other
    failure is a TransportError, tried again at the next run."""
    try:
        delete()
    except TwilioRestException as exc:
        if exc.status == 404:
            return False
        raise TransportError(f"Twilio did not delete {what}: {exc.msg} (HTTP {exc.status})",
                             permanent=False, code=int(exc.code) if exc.code else None) from None
    except Exception as exc:  # noqa: BLE001 - network errors of any kind: tried again tomorrow
        raise TransportError(f"Twilio could not be reached: {type(exc).__name__}", permanent=False) from None
    return True


class NoRecordings:
    """Without Twilio credentials there is no recording of ours at Twilio to delete."""

    def delete_recording(self, sid: str) -> bool:
        return False

    def delete_transcript(self, sid: str) -> bool:
        return False

    def fetch_recording(self, sid: str) -> tuple[bytes, str] | None:
        return None


class Outbox:
    """No credentials: the message stays on this machine, shown by the home page and `outbox list`."""

    def send_sms(self, sender: str, to: str, body: str, status_callback: str | None) -> Sent:
        logger.info("outbox: SMS to %s kept locally (%d characters)", masked(to), len(body))
        return Sent(None, "outbox")

    def send_email(self, to: str, subject: str, text: str, html: str | None, message_key: str = "") -> Sent:
        logger.info("outbox: email to %s kept locally", to)
        return Sent(None, "outbox")
