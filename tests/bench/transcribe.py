"""The local engine's speed: a 30-second French voicemail (espeak-ng speech, padded with the
silence a caller leaves) transcribed by faster-whisper with Whisper base on 2 CPU threads."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import time
import wave
from pathlib import Path

from tests.whisper import whisper_model

VOICEMAIL = ("Bonjour, c'est Madame Leroy, au zéro six quatre-vingt-dix-huit soixante-seize cinquante-quatre "
             "trente-deux. J'ai très mal aux dents depuis hier soir, et ma joue est gonflée. J'ai pris du "
             "paracétamol mais la douleur revient. Je voudrais savoir si le docteur peut me recevoir demain matin, "
             "ou sinon qui je peux appeler. Rappelez-moi dès que possible, merci beaucoup, au revoir.")
SECONDS = 30.0


def voicemail_wav(seconds: float = SECONDS) -> bytes:
    """The voicemail spoken by espeak-ng, cut or padded with silence to `seconds`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "said.wav"
        subprocess.run(["espeak-ng", "-v", "fr-fr", "-s", "140", "-p", "40", "-w", str(path), VOICEMAIL], check=True,
                       capture_output=True)
        with wave.open(str(path)) as said:
            params, frames = said.getparams(), said.readframes(said.getnframes())
    wanted = int(seconds * params.framerate) * params.sampwidth * params.nchannels
    frames = frames[:wanted].ljust(wanted, b"\x00")
    out = io.BytesIO()
    with wave.open(out, "wb") as padded:
        padded.setparams(params)
        padded.writeframes(frames)
    return out.getvalue()


def bench_transcription(threads: int = 2) -> None:
    try:
        import faster_whisper  # noqa: F401

        from routing.transcribe import LocalTranscriber
        from routing.transports import NoRecordings
    except ImportError:
        print("local transcription: faster-whisper is not installed (requirements-transcribe.txt)")
        return
    model = whisper_model()
    if model is None or shutil.which("espeak-ng") is None:
        print("local transcription: needs espeak-ng and the test model (requirements-dev.txt)")
        return
    audio = voicemail_wav()
    engine = LocalTranscriber(str(model), NoRecordings(), threads=threads)
    started = time.perf_counter()
    engine.model()
    loaded = time.perf_counter() - started
    timings, heard = [], ""
    for _ in range(3):
        started = time.perf_counter()
        heard = engine.transcribe_audio(audio, "fr-FR")
        timings.append(time.perf_counter() - started)
    print(f"local transcription (faster-whisper, Whisper base int8, {threads} threads), a {SECONDS:.0f}-second "
          "French voicemail:")
    print(f"  model loaded once:                          {loaded:7.1f} s")
    print(f"  transcription, best of 3 (median):          {min(timings):7.1f} s ({sorted(timings)[1]:.1f} s)")
    print(f"  heard: {heard[:160]}", flush=True)
