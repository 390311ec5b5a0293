"""The Twilio side of the app: signature checking mode, proxy headers, webhooks, the dispatcher."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from coverage.flask import at_first_request, contact_log, snapshots
from routing.cli import outbox_cli
from routing.dispatch import Dispatcher, build_transports
from routing.fastpath import IncomingCalls
from routing.signature import public_bases
from routing.simulate import call_cli
from routing.sms import blueprint as messaging
from routing.sms import sweep
from routing.voice import blueprint, hold_every_answer

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the webhooks under /twilio, the dispatcher, and the sweep of unhandled texts."""
    if app.config["RELEVE_INSECURE_SKIP_SIGNATURE"]:
        logger.warning("\n" + "!" * 78 + "\n  RELEVE_INSECURE_SKIP_SIGNATURE is set: Twilio signatures are NOT checked.\n"
                       "  Anyone can drive the webhooks. Never set it on a server Twilio calls.\n" + "!" * 78)
    app.wsgi_app = IncomingCalls(app, app.wsgi_app)  # type: ignore[method-assign]
    if app.config.get("RELEVE_BEHIND_PROXY"):
        # Trust one proxy's X-Forwarded-Proto/Host/Port; the signature check still takes the
        # forwarded host only when it is one of the configured public addresses.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1, x_port=1)  # type: ignore[method-assign]
    app.register_blueprint(blueprint, url_prefix="/twilio")
    app.register_blueprint(messaging, url_prefix="/twilio")
    transports = build_transports(app)
    app.extensions["releve.transports"] = transports
    background = app.config.get("RELEVE_DISPATCH_IN_BACKGROUND", not app.testing)
    dispatcher = Dispatcher(app.extensions["releve.db"], transports, app.config["RELEVE_CLOCK"], enabled=background)
    app.extensions["releve.dispatcher"] = dispatcher

    def sweep_texts(after: timedelta = timedelta(0)) -> None:
        with app.app_context():
            # Texts that waited in a spool were never tried: no need to leave them a moment.
            sweep(app.extensions["releve.db"], snapshots(), app.config["RELEVE_CLOCK"](), after=after)
            dispatcher.wake()

    app.extensions["releve.sweep_texts"] = sweep_texts
    with app.app_context():
        contact_log().after_replay(sweep_texts)  # texts that waited in the spool are handled now

    embedded: list[object] = []

    def start_dispatcher() -> None:
        dispatcher.start()  # once, at the first request: messages left by a previous process go out
        if app.config["RELEVE_EMBEDDED_WORKER"] and not app.testing and not embedded:
            # A single process (RELEVE_EMBEDDED_WORKER=1): the worker's jobs run here, in the background.
            from routing.worker import build_scheduler

            embedded.append(build_scheduler(app))
            embedded[0].start()  # type: ignore[attr-defined]

    at_first_request(app, start_dispatcher)
    if app.config.get("RELEVE_HOLD_ANSWERS", not app.testing):
        at_first_request(app, lambda: threading.Thread(target=hold_every_answer, args=(app,), daemon=True,
                                                       name="releve-answers").start())

    if not app.testing:
        with app.app_context():
            public_bases(peek=True)  # says loudly, at start, when no public address is configured

    app.cli.add_command(call_cli)
    app.cli.add_command(outbox_cli)
