"""Problems the practice and the administrator are told of: open until solved."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from coverage.store.tables import alerts


def open_alerts(connection: Connection, practice_id: str | None = None) -> list[Row[Any]]:
    """The alerts not solved yet, of one practice (or of all, with the host's own)."""
    query = select(alerts).where(alerts.c.resolved_at.is_(None))
    if practice_id is not None:
        query = query.where(alerts.c.practice_id == practice_id)
    return list(connection.execute(query.order_by(alerts.c.opened_at)))


def open_alert(connection: Connection, practice_id: str, key: str, detail: str, at: datetime) -> int:
    result = connection.execute(alerts.insert().values(practice_id=practice_id, key=key[:300], detail=detail,
                                                       opened_at=at))
    found = result.inserted_primary_key
    assert found is not None
    return int(found[0])


def resolve(connection: Connection, alert_id: int, at: datetime) -> bool:
    """Mark solved; False when another worker did it first."""
    return bool(connection.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.resolved_at.is_(None))
                                   .values(resolved_at=at)).rowcount)


def detail(connection: Connection, alert_id: int) -> str:
    row = connection.execute(select(alerts.c.detail).where(alerts.c.id == alert_id)).first()
    return str(row.detail) if row else ""
