"""What Relève keeps, it deletes after the retention period: the contact log, the messages, and the
voicemail recordings at Twilio, through the real twilio client and the local stand-in of its API."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from coverage.store import contacts, outbox, tables
from coverage.store.followups import tick
from coverage.store.reports import report
from routing.worker import delete_expired

NOW = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=120)     # past the default 90 days
RECENT = NOW - timedelta(days=10)


def _log_voicemail(connection, sid: str, at: datetime, url: str, recording_sid: str | None) -> None:
    contacts.apply(connection, contacts.CallStart(sid, "cabinet-dupont", "+33698765432", "+33186951234", at, False,
                                                  "Congés", ("cabinet-martin",)))
    contacts.apply(connection, contacts.LegEnd(sid, 0, "cabinet-martin", "+33142001122", "no-answer", None, None, at))
    contacts.apply(connection, contacts.Voicemail(sid, "cabinet-dupont", "+33698765432", "+33186951234", url,
                                                  recording_sid, 20, at))


def _fill(app, twilio_api) -> None:
    with app.extensions["releve.db"].begin() as connection:
        _log_voicemail(connection, "CAold", OLD, twilio_api.add_recording("RE" + "1" * 32), "RE" + "1" * 32)
        # From the release before recording SIDs were kept: the SID is read from the address.
        _log_voicemail(connection, "CAolder", OLD - timedelta(days=30), twilio_api.add_recording("RE" + "2" * 32), None)
        _log_voicemail(connection, "CArecent", RECENT, twilio_api.add_recording("RE" + "3" * 32), "RE" + "3" * 32)
        for sid, at in (("SMold", OLD), ("SMrecent", RECENT)):
            contacts.apply(connection, contacts.TextIn(sid, "cabinet-dupont", "+33698765432", "+33186951234",
                                                       "J'ai mal", (), at))
        outbox.queue_sms(connection, practice_id="cabinet-dupont", purpose="auto_reply", sender="+33186951234",
                         to="+33698765432", body="Fermé.", at=OLD, dedupe_key="old")
        outbox.queue_sms(connection, practice_id="cabinet-dupont", purpose="auto_reply", sender="+33186951234",
                         to="+33611223344", body="Fermé.", at=OLD, dedupe_key="old-still-queued")
        connection.execute(tables.messages.update().where(tables.messages.c.dedupe_key == "old").values(state="sent"))
        outbox.set_opted_out(connection, "+33699999999", "STOP", OLD, True)
        tick(connection, "cabinet-dupont", "+33698765432", OLD, OLD, "accueil@cabinet-dupont.example.fr")
        report(connection, "cabinet-dupont", "cabinet-martin", "call", "CAold", "vu en urgence", OLD)
        report(connection, "cabinet-dupont", "cabinet-martin", "call", "CArecent", "rappelé", RECENT)


def _rows(app, table, column):
    with app.extensions["releve.db"].begin() as connection:
        return sorted(connection.execute(select(table.c[column])).scalars())


def test_past_the_retention_period_calls_texts_and_messages_go_and_their_recordings_are_deleted_at_twilio(
        app_with_twilio, twilio_api, clock):
    _fill(app_with_twilio, twilio_api)
    clock.now = NOW

    delete_expired(app_with_twilio)

    assert _rows(app_with_twilio, tables.calls, "call_sid") == ["CArecent"]
    assert _rows(app_with_twilio, tables.call_legs, "call_sid") == ["CArecent"]
    assert _rows(app_with_twilio, tables.texts, "message_sid") == ["SMrecent"]
    assert _rows(app_with_twilio, tables.messages, "dedupe_key") == ["old-still-queued"]  # not sent yet: kept
    assert _rows(app_with_twilio, tables.callbacks, "patient") == []
    assert _rows(app_with_twilio, tables.office_reports, "contact_ref") == ["CArecent"]
    assert _rows(app_with_twilio, tables.opt_outs, "number") == ["+33699999999"]  # an opt-out is never forgotten
    assert set(twilio_api.recordings) == {"RE" + "3" * 32}
    deletions = [r for r in twilio_api.requests if r.method == "DELETE"]
    assert len(deletions) == 2 and all(r.authorized for r in deletions)


def test_a_recording_twilio_cannot_delete_now_keeps_its_call_until_the_next_run(app_with_twilio, twilio_api, clock):
    _fill(app_with_twilio, twilio_api)
    twilio_api.script("RE" + "1" * 32, 500)
    clock.now = NOW

    delete_expired(app_with_twilio)

    assert _rows(app_with_twilio, tables.calls, "call_sid") == ["CAold", "CArecent"]
    assert "RE" + "1" * 32 in twilio_api.recordings

    clock.now = NOW + timedelta(days=1)
    delete_expired(app_with_twilio)

    assert _rows(app_with_twilio, tables.calls, "call_sid") == ["CArecent"]
    assert "RE" + "1" * 32 not in twilio_api.recordings


def test_a_recording_already_gone_at_twilio_does_not_hold_its_call(app_with_twilio, twilio_api, clock):
    _fill(app_with_twilio, twilio_api)
    twilio_api.recordings.pop("RE" + "2" * 32)  # deleted in Twilio's console by the practice
    clock.now = NOW

    delete_expired(app_with_twilio)

    assert _rows(app_with_twilio, tables.calls, "call_sid") == ["CArecent"]


def test_the_retention_period_is_set_in_the_configuration_and_shown_by_config_check(app, monkeypatch, tmp_path):
    config = tmp_path / "releve.yaml"
    example = (app.config["RELEVE_CONFIG_PATH"]).read_text(encoding="utf-8")
    config.write_text(example.replace("  horizon_days: 400", "  horizon_days: 400\n  retention_days: 45"),
                      encoding="utf-8")
    for calendar in app.config["RELEVE_CONFIG_PATH"].parent.glob("*.ics"):
        (tmp_path / calendar.name).write_bytes(calendar.read_bytes())
    app.config["RELEVE_CONFIG_PATH"] = config

    result = app.test_cli_runner().invoke(args=["config", "check"])

    assert "retention: calls, texts and messages are deleted 45 days after they came" in result.output


def test_a_voicemails_transcript_goes_with_its_call_and_twilios_with_the_recording(app_with_twilio, twilio_api, clock):
    from coverage.store import transcripts

    app = app_with_twilio
    service = twilio_api.add_service("fr-FR")
    _fill(app, twilio_api)
    made = {}
    for sid, recording in (("CAold", "RE" + "1" * 32), ("CArecent", "RE" + "3" * 32)):
        created = app.extensions["releve.transports"].sms.client.intelligence.v2.transcripts.create(
            service_sid=service, channel={"media_properties": {"source_sid": recording}})
        made[sid] = created.sid
        with app.extensions["releve.db"].begin() as connection:
            transcripts.add(connection, sid, "cabinet-dupont", recording, "fr-FR", "twilio", OLD)
            transcripts.update_row(connection, sid, OLD, state=transcripts.DONE, text="J'ai très mal",
                                   provider_ref=created.sid)
    clock.now = NOW

    delete_expired(app)

    assert _rows(app, tables.transcripts, "call_sid") == ["CArecent"]
    assert set(twilio_api.transcripts) == {made["CArecent"]}   # deleted at Twilio, the recent one kept
