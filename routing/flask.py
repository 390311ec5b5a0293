"""The Twilio side of the app: secrets, signature checking mode, proxy headers, webhooks."""
from __future__ import annotations

import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config.env import Secrets, env_bool
from routing.cli import outbox_cli
from routing.dispatch import Dispatcher, build_transports
from routing.simulate import call_cli
from routing.sms import blueprint as messaging
from routing.voice import blueprint

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the webhooks under /twilio; read Twilio's secrets from the environment."""
    secrets = Secrets.from_environment()
    app.config.setdefault("TWILIO_ACCOUNT_SID", secrets.twilio_account_sid)
    app.config.setdefault("TWILIO_AUTH_TOKEN", secrets.twilio_auth_token)
    settings = app.config.get("RELEVE_SETTINGS")
    app.config.setdefault("RELEVE_PUBLIC_URL", settings.service.public_url if settings else None)
    app.config.setdefault("RELEVE_FALLBACK_NUMBERS", tuple(
        n.strip() for n in os.environ.get("RELEVE_FALLBACK_NUMBERS", "").split(",") if n.strip()))
    app.config.setdefault("RELEVE_INSECURE_SKIP_SIGNATURE", env_bool("RELEVE_INSECURE_SKIP_SIGNATURE"))
    if app.config["RELEVE_INSECURE_SKIP_SIGNATURE"]:
        logger.warning("\n" + "!" * 78 + "\n  RELEVE_INSECURE_SKIP_SIGNATURE is set: Twilio signatures are NOT checked.\n"
                       "  Anyone can drive the webhooks. Never set it on a server Twilio calls.\n" + "!" * 78)
    if env_bool("RELEVE_BEHIND_PROXY"):
        # Trust one proxy's X-Forwarded-Proto/Host/Port, so the signature is checked against the
        # URL Twilio called (https://public.host/...) and not the proxy's inner address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1, x_port=1)  # type: ignore[method-assign]
    app.register_blueprint(blueprint, url_prefix="/twilio")
    app.register_blueprint(messaging, url_prefix="/twilio")
    transports = build_transports(app)
    app.extensions["releve.transports"] = transports
    dispatcher = Dispatcher(lambda: app.extensions["releve.db"], transports, app.config["RELEVE_CLOCK"],
                            enabled=app.config.get("RELEVE_DISPATCH_IN_BACKGROUND", not app.testing))
    app.extensions["releve.dispatcher"] = dispatcher

    @app.before_request
    def _start_dispatcher() -> None:
        dispatcher.start()  # once, at the first request: messages left by a previous process go out

    app.cli.add_command(call_cli)
    app.cli.add_command(outbox_cli)
