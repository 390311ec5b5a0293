"""Sign-in attempts, shared by every web process, for the rate limit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from coverage.store.tables import sign_in_attempts


def failures_since(connection: Connection, keys: list[str], since: datetime) -> int:
    """The most failed attempts any one of `keys` (a user name, an address) had since `since`."""
    counts = connection.execute(select(func.count()).select_from(sign_in_attempts).where(
        sign_in_attempts.c.key.in_(keys), sign_in_attempts.c.at >= since,
        sign_in_attempts.c.succeeded.is_(False)).group_by(sign_in_attempts.c.key)).scalars().all()
    return max(counts, default=0)


def record_attempt(connection: Connection, keys: list[str], at: datetime, succeeded: bool) -> None:
    connection.execute(sign_in_attempts.insert(), [{"key": key[:200], "at": at, "succeeded": succeeded}
                                                   for key in keys])


def forget_attempts_before(connection: Connection, before: datetime) -> int:
    return int(connection.execute(delete(sign_in_attempts).where(sign_in_attempts.c.at < before)).rowcount)
