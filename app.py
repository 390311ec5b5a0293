"""The Relève web app: wiring only. `flask --app app run`, or any WSGI server on `app:create_app()`."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask

import config.flask
import coverage.auth
import coverage.errors
import coverage.flask
import coverage.security
import routing.flask
from calendars.cli import calendars_cli
from config.settings import Settings
from coverage.cli import config_cli, coverage_cli, db_cli
from coverage.pages import blueprint as notice_pages
from coverage.practice import blueprint as practice_pages
from coverage.privacy import redact_logs
from coverage.views import blueprint as coverage_pages
from routing.worker import scheduler_cli


def create_app(settings: Settings | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; tests pass their own settings and overrides (clock, data folder)."""
    app = Flask(__name__, instance_relative_config=True, static_folder="coverage/static")
    app.config.from_mapping(overrides or {})
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact_logs()  # patients' numbers and words never reach the logs in clear
    config.flask.init_app(app, settings)
    coverage.flask.init_app(app)
    coverage.security.init_app(app)
    coverage.errors.init_app(app)
    coverage.auth.init_app(app)
    app.register_blueprint(coverage_pages)
    app.register_blueprint(notice_pages)
    app.register_blueprint(practice_pages)
    routing.flask.init_app(app)
    for group in (calendars_cli, config_cli, coverage_cli, db_cli, scheduler_cli):
        app.cli.add_command(group)
    return app
