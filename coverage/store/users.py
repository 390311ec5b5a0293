"""A practice's users, and their emailed sign-in links."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from coverage.store.tables import sign_in_links, users


class UserExists(ValueError):
    """A user with this email address exists already (of this practice or another)."""


def normal_email(email: str) -> str:
    return email.strip().lower()


def add_user(connection: Connection, *, email: str, practice_id: str, name: str, password_hash: str | None,
             at: datetime, by: str) -> int:
    email = normal_email(email)
    if by_email(connection, email, with_disabled=True) is not None:
        raise UserExists(email)
    result = connection.execute(users.insert().values(
        email=email[:320], practice_id=practice_id, name=name[:200], password_hash=password_hash, created_at=at,
        created_by=by[:320]))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def by_email(connection: Connection, email: str, *, with_disabled: bool = False) -> Row[Any] | None:
    query = select(users).where(users.c.email == normal_email(email))
    if not with_disabled:
        query = query.where(users.c.disabled_at.is_(None))
    return connection.execute(query).first()


def by_id(connection: Connection, user_id: int) -> Row[Any] | None:
    return connection.execute(select(users).where(users.c.id == user_id, users.c.disabled_at.is_(None))).first()


def of_practice(connection: Connection, practice_id: str | None = None) -> list[Row[Any]]:
    """The users still active, of one practice or of all."""
    query = select(users).where(users.c.disabled_at.is_(None))
    if practice_id is not None:
        query = query.where(users.c.practice_id == practice_id)
    return list(connection.execute(query.order_by(users.c.practice_id, users.c.email)))


def set_password(connection: Connection, user_id: int, password_hash: str | None) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def disable(connection: Connection, user_id: int, at: datetime) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(disabled_at=at))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_link(connection: Connection, user_id: int, token: str, expires_at: datetime) -> None:
    connection.execute(sign_in_links.insert().values(token_digest=_digest(token), user_id=user_id,
                                                     expires_at=expires_at))


def use_link(connection: Connection, token: str, now: datetime) -> int | None:
    """The user an emailed link signs in, once: None when it is unknown, used or expired."""
    digest = _digest(token)
    result = connection.execute(update(sign_in_links).where(
        sign_in_links.c.token_digest == digest, sign_in_links.c.used_at.is_(None),
        sign_in_links.c.expires_at > now).values(used_at=now))
    if result.rowcount != 1:
        return None
    row = connection.execute(select(sign_in_links.c.user_id).where(sign_in_links.c.token_digest == digest)).first()
    return int(row.user_id) if row else None
