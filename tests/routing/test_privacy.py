"""Patients' data stays theirs: a process that takes calls and texts, fails over to its spool and
sends its messages writes logs that hold no full number, no words of a text, no recording address."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import ROOT

PATIENTS = ["+33698765432", "+33611223344", "+14385550123"]
WORDS = "MA-DENT-ME-FAIT-TRES-MAL"


def _forms_of(number: str) -> list[str]:
    """Every way a log could spell the number."""
    import phonenumbers

    parsed = phonenumbers.parse(number)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return [number, number[1:], national, national.replace(" ", ""), international]


SCRIPT = textwrap.dedent("""
    import sqlite3, sys
    from datetime import UTC, datetime, timedelta
    from app import create_app
    from config import load_settings
    from routing.simulate import CallSimulator
    from routing.outbound import deliver_due
    from routing.retention import run_retention
    from tests.conftest import EXAMPLE_CONFIG, Clock
    from tests.routing.conftest import BASE, TOKEN, Twilio, incoming

    patients, words, data = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
    clock = Clock(datetime(2026, 12, 28, 9, 0, tzinfo=UTC))
    app = create_app(load_settings(EXAMPLE_CONFIG), {
        "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": data, "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_PUBLIC_URLS": (BASE,),
        "RELEVE_BACKGROUND_REFRESH": False, "RELEVE_DISPATCH_IN_BACKGROUND": False,
        "RELEVE_SPOOL_IN_BACKGROUND": False, "RELEVE_DATABASE_TIMEOUT": 0.2,
        "RELEVE_ADMIN_USER": "admin", "RELEVE_ADMIN_PASSWORD": "secret"})
    twilio = Twilio(app)

    def texts(body):
        for index, patient in enumerate(patients):
            twilio.post("/twilio/sms", {"MessageSid": f"SM{index}{body[:4]}", "From": patient,
                                        "To": "+33186951234", "Body": f"{body} {words}", "NumMedia": "1",
                                        "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"})

    for patient in patients + ["anonymous", "sip:alice@example.org"]:
        for outcomes in (["no-answer", "completed"], ["busy", "no-answer"], []):
            CallSimulator(app, TOKEN).call("+33186951234", patient, outcomes)
    texts("vacances")
    # The database locked for a moment: calls, voicemails and texts go to the spool, then back.
    other = sqlite3.connect(f"{data}/releve.sqlite3", timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    for patient in patients:
        CallSimulator(app, TOKEN).call("+33186951234", patient, ["failed", "no-answer"])
    texts("verrou")
    other.execute("ROLLBACK")
    app.extensions["releve.contact_log"].replay()
    # Open: the front desk misses calls, and the callers are texted back.
    clock.now = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    for patient in patients:
        CallSimulator(app, TOKEN).call("+33186951234", patient, ["no-answer"])
    texts("ouvert")
    deliver_due(app.extensions["releve.db"], app.extensions["releve.transports"], clock)
    client = app.test_client()
    client.post("/sign-in", data={"user": patients[0], "password": "x"})
    clock.now += timedelta(days=200)
    run_retention(app.extensions["releve.db"], app.extensions["releve.transports"].recordings,
                  timedelta(days=90), clock.now)
    print("done")
""")


def test_the_logs_hold_no_number_no_words_and_no_recording_address(tmp_path):
    played = subprocess.run([sys.executable, "-c", SCRIPT, ",".join(PATIENTS), WORDS, str(tmp_path / "data")],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            timeout=300)
    assert played.returncode == 0, played.stderr[-3000:]
    logs = played.stderr

    # The logs were there to be read: the failover and the outbox said what they did.
    assert "the database cannot be used" in logs and "the spool is replayed" in logs
    assert "outbox: SMS to +33 6 •• •• 54 32" in logs
    leaks = [form for patient in PATIENTS for form in _forms_of(patient) if form in logs]
    assert leaks == [], [line for line in logs.splitlines() if any(form in line for form in leaks)][:5]
    assert WORDS not in logs
    assert "/Recordings/" not in logs and "/Media/" not in logs and "api.twilio.com" not in logs


def test_request_lines_of_the_practices_pages_hold_no_number_and_no_sign_in_token():
    from coverage.privacy import redact

    lines = ['"GET /practice/cabinet-dupont/contacts?number=%2B33698765432 HTTP/1.1" 200 -',
             '"GET /practice/cabinet-dupont/contacts.csv?day=2026-12-02&number=06+11+22+33+44 HTTP/1.1" 200 -',
             '"POST /sign-in/link/Zx8_kQ2v9LmN3pR7tY1uW4aS6dF0gH5j HTTP/1.1" 303 -']

    logged = "\n".join(redact(line) for line in lines)

    assert "98765432" not in logged and "11 22 33" not in logged and "Zx8_kQ2v9LmN3pR7" not in logged
    assert "day=2026-12-02" in logged and "/practice/cabinet-dupont/contacts" in logged
