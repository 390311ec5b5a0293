"""The local engine on real French speech: a sentence made with espeak-ng (Debian's package),
transcribed by faster-whisper with a small multilingual model (Whisper base, tests.whisper), on
this host. Its key words come back, and an urgent one texts the office on duty."""
from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from calendars.model import fold
from tests.routing.test_urgent import (
    CHRISTMAS,
    MARTIN_SMS,
    URGENT_CONTACT,
    _leave_voicemail,
    _transcript,
    _urgent_texts,
)
from tests.whisper import whisper_model

SAID = "Bonjour, j'ai très mal aux dents depuis hier soir, et une douleur très forte. Rappelez-moi, merci."


def french_speech(text: str, path: Path) -> bytes:
    """`text` spoken in French by espeak-ng, as a WAV file."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng, or run .ci/run)")
    subprocess.run(["espeak-ng", "-v", "fr-fr", "-s", "140", "-p", "40", "-w", str(path), text], check=True,
                   capture_output=True)
    return path.read_bytes()


@pytest.fixture(scope="module")
def model() -> Path:
    pytest.importorskip("faster_whisper", reason="the local engine's extra: pip install -r requirements-transcribe.txt")
    found = whisper_model()
    if found is None:
        pytest.skip("the test model's packages are not installed (requirements-dev.txt)")
    return found


def test_french_speech_comes_back_in_words_on_this_host(model, tmp_path):
    from routing.transcribe import LocalTranscriber
    from routing.transports import NoRecordings

    engine = LocalTranscriber(str(model), NoRecordings())

    heard = fold(engine.transcribe_audio(french_speech(SAID, tmp_path / "said.wav"), "fr-FR"))

    for word in ("bonjour", "mal", "merci"):
        assert word in heard.split() or word in heard, heard


def test_a_voicemail_transcribed_on_the_host_with_an_urgent_word_reaches_the_office_at_once(
        model, example_settings, tmp_path, clock, twilio_api, database_url):
    from dataclasses import replace

    from config.settings import Transcription
    from routing.worker import transcribe_voicemails
    from tests.routing.conftest import ACCOUNT_SID, _outbound_app

    settings = replace(example_settings, service=replace(example_settings.service,
                                                         transcription=Transcription("local", str(model))))
    app = _outbound_app(settings, tmp_path / "data", clock, TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                        TWILIO_API_BASE_URL=twilio_api.base_url, RELEVE_DATABASE_URL=database_url)
    try:
        clock.now = CHRISTMAS
        call_sid = "CA" + "e" * 32
        recording = _leave_voicemail(app, twilio_api, call_sid, "")
        twilio_api.recordings[recording] = french_speech(SAID, tmp_path / "voicemail.wav")  # what Twilio recorded

        transcribe_voicemails(app)
        clock.now += timedelta(seconds=20)

        row = _transcript(app, call_sid)
        assert row.state == "done" and "mal" in fold(row.text)
        assert [t.recipient for t in _urgent_texts(app)] == [MARTIN_SMS, URGENT_CONTACT]
        assert "mots entendus : mal" in _urgent_texts(app)[0].body
        # The audio went from Twilio to this host only: no transcription was asked of Twilio.
        assert not [r for r in twilio_api.requests if r.path.startswith("/v2/")]
    finally:
        app.extensions["releve.transports"].sms.client.http_client.session.close()
        app.extensions["releve.db"].dispose()
