"""Who covers when: closures and configuration in, coverage answers and plans out.

The core (`schedule`, `hours`, `plan`) is pure functions over frozen data; `registry` keeps the
last good calendars; `flask`, `views` and `cli` are the edges.
"""
from __future__ import annotations
