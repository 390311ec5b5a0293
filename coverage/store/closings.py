"""« Fermer maintenant »: the closings a practice set by hand."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from coverage.store.tables import closed_now


def add(connection: Connection, practice_id: str, starts_at: datetime, ends_at: datetime, reason: str,
        chain: tuple[str, ...], by: str) -> int:
    """A new closing; any other still running for the practice ends when this one starts."""
    end_running(connection, practice_id, starts_at, by)
    result = connection.execute(closed_now.insert().values(
        practice_id=practice_id, starts_at=starts_at, ends_at=ends_at, reason=reason[:300],
        chain=",".join(chain)[:500], set_by=by[:320]))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def end_running(connection: Connection, practice_id: str, at: datetime, by: str) -> int:
    """Reopen by hand: the closings still running end now."""
    return int(connection.execute(update(closed_now).where(
        closed_now.c.practice_id == practice_id, closed_now.c.ended_early_at.is_(None),
        closed_now.c.ends_at > at).values(ended_early_at=at, ended_by=by[:320], ends_at=at)).rowcount)


def running(connection: Connection, at: datetime) -> list[Row[Any]]:
    """Every closing not over at `at` (those to come too), of every practice."""
    return list(connection.execute(select(closed_now).where(closed_now.c.ends_at > at,
                                                            closed_now.c.ended_early_at.is_(None))))


def recent(connection: Connection, practice_id: str, since: datetime) -> list[Row[Any]]:
    """The practice's closings that ended after `since`, newest first (its page shows them)."""
    return list(connection.execute(select(closed_now).where(closed_now.c.practice_id == practice_id,
                                                            closed_now.c.ends_at > since)
                                   .order_by(closed_now.c.starts_at.desc())))
