"""The YAML configuration in, validated typed settings out.

`load_settings` is loaded at its first use: a web process, which never reads the YAML (the worker
does), does not pay for the loader and its libraries at its start.
"""
from __future__ import annotations

from typing import Any

from config.errors import ConfigError, Problem
from config.settings import CoveringOffice, Practice, Settings

__all__ = ["ConfigError", "CoveringOffice", "Practice", "Problem", "Settings", "load_settings"]


def __getattr__(name: str) -> Any:
    if name == "load_settings":
        from config.loader import load_settings

        return load_settings
    raise AttributeError(f"module 'config' has no attribute {name!r}")
