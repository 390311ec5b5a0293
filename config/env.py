"""Everything Relève reads from the environment, in one place: where things are, and every secret.

No other module reads os.environ. A secret NAME may also be given as NAME_FILE, the path of a file
holding it (Docker and systemd credentials work that way).
"""
from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from config.errors import ConfigError, Problem

BUNDLED_EXAMPLE = Path(__file__).resolve().parent / "example" / "releve.yaml"


def _secret(environ: Mapping[str, str], name: str) -> str | None:
    """The value of NAME, or the content of the file named by NAME_FILE; None when neither is set."""
    # NAME holding only spaces (`TWILIO_AUTH_TOKEN= ` in an env file) is unset, as an empty one is.
    value = environ.get(name, "").strip()
    if value:
        return value
    path = environ.get(f"{name}_FILE", "").strip()
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([Problem(
                "(environment)", None, f"{name}_FILE", f'points at "{path}", which cannot be read ({exc})',
                f"check the path, or set {name} itself")]) from None
    return None


def _bool(environ: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = environ.get(name, "").strip()
    if not value:
        return default
    return value.lower() in ("1", "true", "yes", "on")


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError([Problem("(environment)", None, name, f'"{value}" is not a whole number',
                                   f"set {name} to a number, or unset it for {default}")]) from None


@dataclass(frozen=True)
class Smtp:
    """The mail server emails go through; without it, emails stay in the local outbox."""

    host: str
    port: int = 587
    sender: str = ""
    sender_name: str = "Relève"
    username: str | None = None
    password: str | None = None
    starttls: bool = True


@dataclass(frozen=True)
class Environment:
    """The process's environment, read once. Absent credentials mean: that channel writes to the
    local outbox instead, and nothing leaves the machine."""

    config_path: Path = BUNDLED_EXAMPLE
    data_dir: Path | None = None
    database_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base_url: str | None = None   # a stand-in of Twilio's REST API (tests); unset in production
    behind_proxy: bool = False
    secret_key: str | None = None
    base_url: str | None = None
    fallback_numbers: tuple[str, ...] = ()
    insecure_skip_signature: bool = False
    smtp: Smtp | None = None
    admin_user: str | None = None
    admin_password: str | None = None        # or a werkzeug hash ("scrypt:…", "pbkdf2:…")
    admin_email: str | None = None           # where the administrator is told of alerts
    auto_migrate: bool = True
    embedded_worker: bool = False

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """Read the environment (os.environ unless given); raise ConfigError on a bad value."""
        env = os.environ if environ is None else environ
        smtp = None
        host = env.get("SMTP_HOST", "").strip()
        if host:
            smtp = Smtp(host=host, port=_int(env, "SMTP_PORT", 587),
                        sender=env.get("SMTP_FROM", "").strip() or f"releve@{socket.getfqdn()}",
                        username=env.get("SMTP_USERNAME", "").strip() or None,
                        password=_secret(env, "SMTP_PASSWORD"), starttls=_bool(env, "SMTP_STARTTLS", True))
        data_dir = env.get("RELEVE_DATA_DIR", "").strip()
        return cls(
            config_path=Path(env.get("RELEVE_CONFIG", "").strip() or BUNDLED_EXAMPLE),
            data_dir=Path(data_dir) if data_dir else None,
            database_url=env.get("RELEVE_DATABASE_URL", "").strip() or None,
            twilio_account_sid=_secret(env, "TWILIO_ACCOUNT_SID"),
            twilio_auth_token=_secret(env, "TWILIO_AUTH_TOKEN"),
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL", "").strip() or None,
            behind_proxy=_bool(env, "RELEVE_BEHIND_PROXY"),
            secret_key=_secret(env, "RELEVE_SECRET_KEY"),
            base_url=env.get("RELEVE_BASE_URL", "").strip() or None,
            fallback_numbers=tuple(n.strip() for n in env.get("RELEVE_FALLBACK_NUMBERS", "").split(",")
                                   if n.strip()),
            insecure_skip_signature=_bool(env, "RELEVE_INSECURE_SKIP_SIGNATURE"),
            smtp=smtp,
            admin_user=env.get("RELEVE_ADMIN_USER", "").strip() or None,
            admin_password=_secret(env, "RELEVE_ADMIN_PASSWORD"),
            admin_email=env.get("RELEVE_ADMIN_EMAIL", "").strip() or None,
            auto_migrate=_bool(env, "RELEVE_AUTO_MIGRATE", True),
            embedded_worker=_bool(env, "RELEVE_EMBEDDED_WORKER"),
        )

    def database(self, data_dir: Path) -> str:
        """RELEVE_DATABASE_URL, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{data_dir / 'releve.sqlite3'}"


def config_path() -> Path:
    """RELEVE_CONFIG, or the bundled example that `make run` starts on."""
    return Environment.read().config_path
