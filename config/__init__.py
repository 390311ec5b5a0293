"""The YAML configuration in, validated typed settings out."""
from __future__ import annotations

from config.errors import ConfigError, Problem
from config.loader import load_settings
from config.settings import CoveringOffice, Practice, Settings

__all__ = ["ConfigError", "CoveringOffice", "Practice", "Problem", "Settings", "load_settings"]
