"""Sending queued messages in the background of a web process, and building the transports.

The webhook only queues; the dispatcher sends right after (woken by the webhook) and every
30 seconds for retries and for messages a previous process left behind. Any number of processes
may run one: `outbound.deliver` claims each message before sending it.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from coverage.store import Store, StoreUnavailable
from routing.outbound import Transports, deliver_due
from routing.transports import (
    EmailTransport,
    NoRecordings,
    Outbox,
    RecordingStore,
    SmsTransport,
    SmtpEmail,
    TwilioRecordings,
    TwilioSms,
    twilio_client,
)

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30.0


def build_transports(app: Flask) -> Transports:
    """Twilio and SMTP when their credentials are set; otherwise the local outbox."""
    sid, token = app.config.get("TWILIO_ACCOUNT_SID"), app.config.get("TWILIO_AUTH_TOKEN")
    sms: SmsTransport = Outbox()
    recordings: RecordingStore = NoRecordings()
    if sid and token:
        client = twilio_client(sid, token, app.config.get("TWILIO_API_BASE_URL"))
        sms, recordings = TwilioSms(client), TwilioRecordings(client)
    email: EmailTransport = Outbox()
    smtp = app.config.get("RELEVE_SMTP")
    if smtp is not None:
        email = SmtpEmail(smtp)
    public = next(iter(app.config.get("RELEVE_PUBLIC_URLS") or ()), None)
    logger.info("texts go %s; emails go %s", "through Twilio" if sid and token else "to the local outbox",
                f"through {smtp.host}:{smtp.port}" if smtp else "to the local outbox")
    return Transports(sms, email, f"{public.rstrip('/')}/twilio/sms/status" if public else None, recordings)


class Dispatcher:
    """A daemon thread that delivers what is due; `wake()` after queuing sends it at once."""

    def __init__(self, store: Store, transports: Transports, clock: Callable[[], datetime], enabled: bool) -> None:
        self.store, self.transports, self.clock, self.enabled = store, transports, clock, enabled
        self._event = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread once; its first round sends what a previous process left queued."""
        if not self.enabled or self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="releve-dispatch", daemon=True)
                self._thread.start()
                self._event.set()

    def wake(self) -> None:
        """Something was queued: send it now rather than at the next round."""
        self.start()
        if self.enabled:
            self._event.set()

    def _run(self) -> None:
        while True:
            self._event.wait(RETRY_SECONDS)
            self._event.clear()
            try:
                deliver_due(self.store, self.transports, self.clock)
            except StoreUnavailable as exc:
                logger.warning("messages stay queued: the database is unavailable (%s)", exc)
            except Exception:  # noqa: BLE001 - the dispatcher must outlive any one bad round
                logger.exception("delivering queued messages failed; they stay queued")
