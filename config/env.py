"""Settings that come from the environment: where the configuration is, and every secret.

A secret NAME may also be given as NAME_FILE, the path of a file holding it (Docker and systemd
credentials work that way).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from config.errors import ConfigError, Problem

BUNDLED_EXAMPLE = Path(__file__).resolve().parent / "example" / "releve.yaml"


def env_secret(name: str) -> str | None:
    """The value of NAME, or the content of the file named by NAME_FILE; None when neither is set."""
    # NAME holding only spaces (`TWILIO_AUTH_TOKEN= ` in an env file) is unset, as an empty one is.
    value = os.environ.get(name, "").strip()
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([Problem(
                "(environment)", None, f"{name}_FILE", f'points at "{path}", which cannot be read ({exc})',
                f"check the path, or set {name} itself")]) from None
    return None


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def config_path() -> Path:
    """RELEVE_CONFIG, or the bundled example that `make run` starts on."""
    return Path(os.environ.get("RELEVE_CONFIG") or BUNDLED_EXAMPLE)


@dataclass(frozen=True)
class Secrets:
    """Credentials. Absent ones mean: that channel writes to the local outbox instead."""

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    smtp_password: str | None = None

    @classmethod
    def from_environment(cls) -> Secrets:
        return cls(
            twilio_account_sid=env_secret("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=env_secret("TWILIO_AUTH_TOKEN"),
            smtp_password=env_secret("SMTP_PASSWORD"),
        )
