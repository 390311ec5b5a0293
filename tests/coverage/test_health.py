"""The health check a load balancer or a container runtime asks: counts only, no sign-in."""
from __future__ import annotations

from app import create_app
from tests.reading import reading_of


def test_a_web_process_is_healthy_once_it_knows_its_practices_and_says_nothing_about_patients(app, client, clock):
    reading_of(app).refresh(clock())

    answer = client.get("/health")

    assert answer.status_code == 200
    assert answer.json == {"practices": 2, "generation": answer.json["generation"], "database": "ok",
                           "events_waiting": 0}
    assert b"+33" not in answer.data and b"Dupont" not in answer.data


def test_before_the_workers_first_read_a_web_process_is_not_ready(tmp_path):
    app = create_app(None, {"TESTING": True, "RELEVE_DATA_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "token"})

    answer = app.test_client().get("/health")

    assert answer.status_code == 503 and answer.json["practices"] == 0
