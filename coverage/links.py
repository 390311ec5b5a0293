"""Signed links: a covering office's briefing and contact list, a practice's follow-up list.

No account is needed: the link itself is the permission. It names one practice, one office (for
a briefing) and one coverage period, so nothing else can be reached with it, and it stops working
some days after the period ends.
"""
from __future__ import annotations

import logging
import os
import secrets
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from coverage.store.engine import private_folder

logger = logging.getLogger(__name__)

BRIEFING_GRACE = timedelta(days=3)    # an office may look at its contact list a little after
FOLLOW_UP_GRACE = timedelta(days=30)  # the practice works through its callbacks


def secret_key(data_dir: Path) -> str:
    """A key made once and kept in the data folder (shared by the processes of one machine;
    several machines set RELEVE_SECRET_KEY instead); raise OSError when the folder refuses it."""
    path = data_dir / "secret_key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    # The web app and the scheduler often start together on a new data folder. The key is written
    # to a file of its own, then linked into place: the link fails if another process made the key
    # first (then its key is used), and no process ever reads a key half written.
    private_folder(data_dir)
    key = secrets.token_urlsafe(32)
    descriptor, temporary = tempfile.mkstemp(dir=data_dir, prefix="secret_key.")  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(key)
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    finally:
        os.unlink(temporary)
    logger.info("made a secret key for signed links in %s (set RELEVE_SECRET_KEY to choose one)", path)
    return key


def _serializer(key: str, kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=f"releve-{kind}")


def make_token(key: str, kind: str, expires: datetime, **payload: object) -> str:
    return str(_serializer(key, kind).dumps({**payload, "x": int(expires.timestamp())}))


def read_token(key: str, kind: str, token: str, now: datetime) -> dict[str, Any] | None:
    """The payload of a valid, unexpired token; None otherwise."""
    try:
        payload = _serializer(key, kind).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("x", 0) < now.timestamp():
        return None
    return payload
