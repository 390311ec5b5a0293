"""Voicemails turned into words, by the worker: never on a caller's webhook, never before the
voicemail's notice (it goes at once; the transcript follows on the pages and the lists).

The engine is the host's choice (`service.transcription.engine`):
- `none`: no transcript;
- `twilio`: Twilio's Conversational Intelligence, one service per language (its language is set
  on the service in Twilio's console): a transcript is created from the recording's SID, looked
  at again until it is completed, its sentences read; it is deleted at Twilio with the recording (routing.retention);
- `local`: faster-whisper on this host, with a CTranslate2 Whisper model the host installs
  (`model:`); the voice never leaves the host. Its package is an optional extra
  (requirements-transcribe.txt).

A failed transcription is tried again, up to MAX_ATTEMPTS times, further apart each time. A
transcript holding an urgent word flags its voicemail (coverage.urgency), which is told at once.
Transcripts are patients' words: never logged, deleted with the call after the retention period.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from twilio.base.exceptions import TwilioRestException  # type: ignore[import-untyped]

from config.settings import Transcription
from coverage.notice_job import Links
from coverage.snapshots import Snapshots
from coverage.store import Store
from coverage.store import transcripts as rows
from coverage.urgency import urgent_words_in, words_of
from routing.transports import RecordingStore, TransportError
from routing.urgent import tell_urgent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
LOOK_AGAIN = timedelta(seconds=15)        # a Twilio transcript still queued or in progress
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
SINCE = timedelta(days=2)                 # voicemails older than this are not transcribed any more


class TranscriptionFailed(Exception):
    """The engine could not give a transcript this time (`permanent`: it never will)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message, self.permanent = message, permanent


@dataclass(frozen=True)
class Done:
    text: str


@dataclass(frozen=True)
class Waiting:
    ref: str          # the engine's own id of the transcript, looked at again later


Step = Done | Waiting


class Transcriber(Protocol):
    name: str

    def start(self, recording_sid: str, language: str) -> Step: ...

    def check(self, ref: str, language: str) -> Step: ...


class TwilioTranscriber:
    """Twilio's Conversational Intelligence (v2 Transcripts), through the twilio client."""

    name = "twilio"

    def __init__(self, client: Any, services: dict[str, str]) -> None:
        self.client, self.services = client, services

    def start(self, recording_sid: str, language: str) -> Step:
        service = self.services.get(language) or self.services.get(language[:2]) or next(iter(self.services.values()))
        try:
            created = self.client.intelligence.v2.transcripts.create(
                service_sid=service, channel={"media_properties": {"source_sid": recording_sid}})
        except TwilioRestException as exc:
            raise TranscriptionFailed(f"Twilio refused the transcription (HTTP {exc.status}, code {exc.code})",
                                      permanent=exc.status in (400, 404)) from None
        except Exception as exc:  # noqa: BLE001 - network errors of any kind: tried again later
            raise TranscriptionFailed(f"Twilio could not be reached: {type(exc).__name__}") from None
        return Waiting(str(created.sid))

    def check(self, ref: str, language: str) -> Step:
        try:
            found = self.client.intelligence.v2.transcripts(ref).fetch()
            if found.status in ("queued", "in-progress"):
                return Waiting(ref)
            if found.status != "completed":
                raise TranscriptionFailed(f"Twilio's transcript ended {found.status}")
            sentences = self.client.intelligence.v2.transcripts(ref).sentences.list()
        except TwilioRestException as exc:
            raise TranscriptionFailed(f"Twilio did not give the transcript (HTTP {exc.status}, code {exc.code})",
                                      permanent=exc.status == 404) from None
        except TranscriptionFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - network errors of any kind: tried again later
            raise TranscriptionFailed(f"Twilio could not be reached: {type(exc).__name__}") from None
        ordered = sorted(sentences, key=lambda s: int(s.sentence_index or 0))
        return Done(" ".join((s.transcript or "").strip() for s in ordered).strip())


class LocalTranscriber:
    """faster-whisper on this host, on the CPU; the model is loaded once, at the first voicemail."""

    name = "local"

    def __init__(self, model_folder: str, recordings: RecordingStore, threads: int = 2) -> None:
        self.model_folder, self.recordings, self.threads = model_folder, recordings, threads
        self._model: Any = None

    def model(self) -> Any:
        if self._model is None:
            try:
                from faster_whisper import WhisperModel
            except ImportError:
                raise TranscriptionFailed("faster-whisper is not installed: pip install -r "
                                          "requirements-transcribe.txt", permanent=True) from None
            self._model = WhisperModel(self.model_folder, device="cpu", compute_type="int8", cpu_threads=self.threads)
        return self._model

    def transcribe_audio(self, audio: bytes, language: str) -> str:
        segments, _ = self.model().transcribe(io.BytesIO(audio), language=language[:2], beam_size=5,
                                              vad_filter=False, condition_on_previous_text=False)
        return " ".join(segment.text.strip() for segment in segments).strip()

    def start(self, recording_sid: str, language: str) -> Step:
        try:
            found = self.recordings.fetch_recording(recording_sid)
        except TransportError as exc:
            raise TranscriptionFailed(exc.message, permanent=exc.permanent) from None
        if found is None:
            raise TranscriptionFailed("the recording is no longer at Twilio", permanent=True)
        try:
            return Done(self.transcribe_audio(found[0], language))
        except TranscriptionFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - an audio the engine cannot read: tried again, then given up
            raise TranscriptionFailed(f"the engine failed: {type(exc).__name__}") from None

    def check(self, ref: str, language: str) -> Step:
        raise TranscriptionFailed("a local transcription never waits", permanent=True)


def make_transcriber(settings: Transcription, client: Any, recordings: RecordingStore) -> Transcriber | None:
    """The host's engine, or None (`none`, or Twilio without credentials)."""
    if settings.engine == "twilio" and client is not None:
        return TwilioTranscriber(client, settings.services)
    if settings.engine == "local" and settings.model:
        return LocalTranscriber(settings.model, recordings)
    return None


def transcribe_due(store: Store, practices: Snapshots, engine: Transcriber, links: Links,
                   now: datetime | Callable[[], datetime]) -> int:
    """One run: new voicemails get a transcription; those due are started or looked at again.
    How many transcripts were finished."""
    clock = now if callable(now) else (lambda: now)
    at = clock()
    with store.begin() as connection:
        for call in rows.untranscribed(connection, at - SINCE):
            try:
                language = practices.near_view(call.practice_id).practice.language
            except KeyError:
                continue
            rows.add(connection, call.call_sid, call.practice_id, call.recording_sid, language, engine.name, at)
        due = rows.due(connection, at)
    finished = 0
    for row in due:
        finished += _advance(store, practices, engine, links, row, clock)
    return finished


def _advance(store: Store, practices: Snapshots, engine: Transcriber, links: Links, row: Any,
             clock: Callable[[], datetime]) -> int:
    try:
        step = engine.check(row.provider_ref, row.language) if row.provider_ref else engine.start(
            row.recording_sid, row.language)
    except TranscriptionFailed as exc:
        attempts = row.attempts + 1
        gives_up = exc.permanent or attempts >= MAX_ATTEMPTS
        at = clock()
        with store.begin() as connection:
            rows.update_row(connection, row.call_sid, at, attempts=attempts, provider_ref=None,
                            state=rows.FAILED if gives_up else rows.PENDING, last_error=exc.message[:300],
                            next_attempt_at=at + RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1])
        logger.warning("a voicemail of %s was not transcribed (attempt %d%s): %s", row.practice_id, attempts,
                       ", given up" if gives_up else "", exc.message)
        return 0
    at = clock()
    if isinstance(step, Waiting):
        with store.begin() as connection:
            rows.update_row(connection, row.call_sid, at, state=rows.WORKING, provider_ref=step.ref,
                            next_attempt_at=at + LOOK_AGAIN)
        return 0
    flagged = False
    with store.begin() as connection:
        rows.update_row(connection, row.call_sid, at, state=rows.DONE, text=step.text, last_error=None)
        try:
            practice = practices.near_view(row.practice_id).practice
        except KeyError:
            practice = None
        found = urgent_words_in(step.text, words_of(practice)) if practice is not None else ()
        if found:
            flagged = rows.mark_urgent(connection, row.call_sid, "words:" + ", ".join(found))
    logger.info("a voicemail of %s was transcribed (%s)%s", row.practice_id, engine.name,
                ", possibly urgent" if flagged else "")
    if flagged:
        tell_urgent(store, practices, links, row.call_sid, at)
    return 1
