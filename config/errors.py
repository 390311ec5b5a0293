"""Errors of the configuration: every problem names the file, the line, the key and the fix."""
from __future__ import annotations

from dataclasses import dataclass


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


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists everything wrong, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
