"""The Relève web app: wiring only. `flask --app app run`, or any WSGI server on `app:create_app()`."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask

import config.flask
import coverage.flask
import routing.flask
from calendars.cli import calendars_cli
from config.settings import Settings
from coverage.cli import coverage_cli
from coverage.pages import blueprint as notice_pages
from coverage.scheduler import scheduler_cli
from coverage.views import blueprint as coverage_pages


def create_app(settings: Settings | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; tests pass their own settings and overrides (clock, data folder)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(overrides or {})
    if not app.logger.handlers or logging.getLogger().handlers == []:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config.flask.init_app(app, settings)
    coverage.flask.init_app(app)
    app.register_blueprint(coverage_pages)
    app.register_blueprint(notice_pages)
    routing.flask.init_app(app)
    app.cli.add_command(calendars_cli)
    app.cli.add_command(coverage_cli)
    app.cli.add_command(scheduler_cli)
    return app
