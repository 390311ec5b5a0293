"""Errors of the configuration: every problem names the file, the line, the key and the fix."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calendars.messages import said_from_json, said_to_json
from config import messages  # noqa: F401 - its sentences must be known to read a stored problem back


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a configuration file."""

    file: str
    line: int | None
    key: str
    message: str
    fix: str = ""
    is_warning: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        kind = "warning" if self.is_warning else "error"
        text = f"{where}: {kind}: {self.key}: {self.message}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "key": self.key, "message": said_to_json(self.message),
                "fix": said_to_json(self.fix), "is_warning": self.is_warning}

    @classmethod
    def from_json(cls, value: dict[str, Any] | str) -> Problem:
        """A stored problem; an older worker stored its text only."""
        if isinstance(value, str):
            return cls("", None, "", value)
        return cls(value["file"], value.get("line"), value["key"], said_from_json(value["message"]),
                   said_from_json(value.get("fix", "")), bool(value.get("is_warning")))


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists everything wrong, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
