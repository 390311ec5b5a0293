"""What comes from the environment: the configuration's path and every secret."""
from __future__ import annotations

import pytest

from config.env import BUNDLED_EXAMPLE, Secrets, config_path, env_bool, env_secret
from config.errors import ConfigError


def test_a_secret_is_read_from_its_variable(monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "0123456789abcdef")

    assert env_secret("TWILIO_AUTH_TOKEN") == "0123456789abcdef"


def test_a_secret_is_read_from_the_file_named_by_its_file_variable_without_the_final_newline(monkeypatch, tmp_path):
    (tmp_path / "smtp_password").write_text("correct horse battery staple\n", encoding="utf-8")
    monkeypatch.setenv("SMTP_PASSWORD_FILE", str(tmp_path / "smtp_password"))

    assert env_secret("SMTP_PASSWORD") == "correct horse battery staple"


def test_the_variable_wins_over_the_file(monkeypatch, tmp_path):
    (tmp_path / "token").write_text("from-the-file", encoding="utf-8")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "from-the-variable")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN_FILE", str(tmp_path / "token"))

    assert env_secret("TWILIO_AUTH_TOKEN") == "from-the-variable"


@pytest.mark.parametrize("blank", ["", "  ", "\n"])
def test_a_blank_variable_falls_back_to_the_file(monkeypatch, tmp_path, blank):
    (tmp_path / "token").write_text("from-the-file", encoding="utf-8")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", blank)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN_FILE", str(tmp_path / "token"))

    assert env_secret("TWILIO_AUTH_TOKEN") == "from-the-file"


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_variable_alone_is_no_secret(monkeypatch, blank):
    monkeypatch.setenv("SMTP_PASSWORD", blank)

    assert env_secret("SMTP_PASSWORD") is None


def test_a_secret_set_nowhere_is_none():
    assert env_secret("TWILIO_AUTH_TOKEN") is None


def test_the_secrets_come_from_twilio_and_smtp_variables(monkeypatch, tmp_path):
    (tmp_path / "sid").write_text("AC0123456789\n", encoding="utf-8")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID_FILE", str(tmp_path / "sid"))
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "0123456789abcdef")

    assert Secrets.from_environment() == Secrets(
        twilio_account_sid="AC0123456789", twilio_auth_token="0123456789abcdef", smtp_password=None)


def test_the_configuration_is_the_bundled_example_unless_releve_config_names_another(monkeypatch, tmp_path):
    assert config_path() == BUNDLED_EXAMPLE
    assert BUNDLED_EXAMPLE.is_file()

    monkeypatch.setenv("RELEVE_CONFIG", str(tmp_path / "releve.yaml"))

    assert config_path() == tmp_path / "releve.yaml"


def test_a_boolean_variable_reads_the_usual_spellings(monkeypatch):
    for written, expected in [("1", True), ("true", True), ("Yes", True), (" on ", True),
                              ("0", False), ("false", False), ("non", False)]:
        monkeypatch.setenv("RELEVE_FLAG", written)
        assert env_bool("RELEVE_FLAG") is expected, written


def test_a_boolean_variable_unset_or_blank_takes_its_default(monkeypatch):
    assert env_bool("RELEVE_FLAG", default=True) is True
    monkeypatch.setenv("RELEVE_FLAG", "  ")
    assert env_bool("RELEVE_FLAG") is False


def test_a_secret_file_that_cannot_be_read_is_a_clear_configuration_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN_FILE", str(tmp_path / "missing-token"))

    with pytest.raises(ConfigError) as error:
        env_secret("TWILIO_AUTH_TOKEN")

    assert error.value.problems[0].key == "TWILIO_AUTH_TOKEN_FILE"
    assert "missing-token" in error.value.problems[0].message
