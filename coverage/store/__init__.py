"""Persistence, in one place: every table (`tables`), the database (`engine`), the queries each
part of Relève needs (`contacts`, `outbox`, …) and the spool that keeps the contact log when the
database fails (`spool`). Nothing outside this package writes SQL."""
from __future__ import annotations

from coverage.store.engine import Store, StoreUnavailable

__all__ = ["Store", "StoreUnavailable"]
