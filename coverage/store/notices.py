"""The notices sent to covering offices and practices: one row per notice, under a unique key, so
that a restart, a crash or two schedulers never send a notice twice."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from coverage.store.sql import insert_once
from coverage.store.tables import notices

KEY = ["practice_id", "office_id", "period_key", "kind", "slot"]


def claim_notice(connection: Connection, row: dict[str, Any]) -> bool:
    """Write the notice's row; False when that notice was written already (it is not sent again)."""
    return insert_once(connection, notices, row, KEY)


def record_notice_message(connection: Connection, row: dict[str, Any], message_id: int | None) -> None:
    """Which message carries the notice; none when the office has no channel to receive it."""
    connection.execute(notices.update().where(*(notices.c[name] == row[name] for name in KEY)).values(
        message_id=message_id, state="queued" if message_id is not None else "no_channel"))


def told(connection: Connection, practice_id: str, kinds: tuple[str, ...], after: datetime) -> list[Row[Any]]:
    """The notices of these kinds queued for periods of the practice that end after `after`."""
    return list(connection.execute(select(notices).where(
        notices.c.practice_id == practice_id, notices.c.kind.in_(kinds), notices.c.state == "queued",
        notices.c.period_end > after).order_by(notices.c.id)))


def last_told(connection: Connection, practice_id: str, office_id: str, key: str, kinds: tuple[str, ...]) -> Any:
    return connection.execute(select(notices).where(
        notices.c.practice_id == practice_id, notices.c.office_id == office_id, notices.c.period_key == key,
        notices.c.kind.in_(kinds), notices.c.state == "queued").order_by(notices.c.id.desc()).limit(1)).first()


def set_state(connection: Connection, row: dict[str, Any], state: str) -> None:
    """A notice claimed but not sent, and why ("empty": there was nothing to tell)."""
    connection.execute(notices.update().where(*(notices.c[name] == row[name] for name in KEY)).values(state=state))
