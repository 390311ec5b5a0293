"""The settings and the environment, put into a Flask app's config: the only place they enter.

Every other part of Relève reads `app.config`; tests set any of these keys themselves. A web
process does not read the YAML configuration (the worker does, and stores what each practice
needs with its schedule); settings are given here only by tests and tools that have them.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from config.env import Environment
from config.errors import ConfigError, Problem
from config.settings import Settings

logger = logging.getLogger(__name__)


def init_app(app: Flask, settings: Settings | None = None, environment: Environment | None = None) -> None:
    """Put the settings (or, when the file is broken, its problems) and the environment in app.config."""
    problems: tuple[Problem, ...] = ()
    try:
        environment = environment or app.config.get("RELEVE_ENVIRONMENT") or Environment.read()
    except ConfigError as exc:
        # A secret file that cannot be read: the app still starts (its fallback answers calls).
        logger.error("the environment cannot be used in full:\n%s", exc)
        problems, environment = exc.problems, Environment()
    assert environment is not None
    defaults: dict[str, Any] = {
        "RELEVE_ENVIRONMENT": environment,
        "RELEVE_CONFIG_PATH": environment.config_path,
        "RELEVE_DATA_DIR": str(environment.data_dir or app.instance_path),
        "RELEVE_DATABASE_URL": environment.database_url,
        "RELEVE_AUTO_MIGRATE": environment.auto_migrate,
        "TWILIO_ACCOUNT_SID": environment.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": environment.twilio_auth_token,
        "TWILIO_API_BASE_URL": environment.twilio_api_base_url,
        "RELEVE_BEHIND_PROXY": environment.behind_proxy,
        "RELEVE_BASE_URL": environment.base_url,
        "RELEVE_FALLBACK_NUMBERS": environment.fallback_numbers,
        "RELEVE_INSECURE_SKIP_SIGNATURE": environment.insecure_skip_signature,
        "RELEVE_SMTP": environment.smtp,
        "RELEVE_ADMIN_USER": environment.admin_user,
        "RELEVE_ADMIN_EMAIL": environment.admin_email,
        "RELEVE_ADMIN_PASSWORD": environment.admin_password,
        "RELEVE_PUBLIC_URLS": settings.service.public_urls if settings else (),
        "RELEVE_CLOCK": lambda: datetime.now(UTC),
    }
    if environment.secret_key:
        defaults["SECRET_KEY"] = environment.secret_key
    for key, value in defaults.items():
        app.config.setdefault(key, value)
    app.config["RELEVE_SETTINGS"] = settings
    app.config["RELEVE_CONFIG_PROBLEMS"] = problems
