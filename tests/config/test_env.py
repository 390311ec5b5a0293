"""What comes from the environment: where the configuration and the data are, and every secret."""
from __future__ import annotations

from pathlib import Path

import pytest

from config.env import BUNDLED_EXAMPLE, Environment, Smtp
from config.errors import ConfigError


def test_a_secret_is_read_from_its_variable():
    assert Environment.read({"TWILIO_AUTH_TOKEN": "0123456789abcdef"}).twilio_auth_token == "0123456789abcdef"


def test_a_secret_is_read_from_the_file_named_by_its_file_variable_without_the_final_newline(tmp_path):
    (tmp_path / "smtp_password").write_text("correct horse battery staple\n", encoding="utf-8")

    environment = Environment.read({"SMTP_HOST": "mail.example.fr",
                                    "SMTP_PASSWORD_FILE": str(tmp_path / "smtp_password")})

    assert environment.smtp is not None and environment.smtp.password == "correct horse battery staple"


def test_the_variable_wins_over_the_file(tmp_path):
    (tmp_path / "token").write_text("from-the-file", encoding="utf-8")

    environment = Environment.read({"TWILIO_AUTH_TOKEN": "from-the-variable",
                                    "TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "token")})

    assert environment.twilio_auth_token == "from-the-variable"


@pytest.mark.parametrize("blank", ["", "  ", "\n"])
def test_a_blank_variable_falls_back_to_the_file(tmp_path, blank):
    (tmp_path / "token").write_text("from-the-file", encoding="utf-8")

    environment = Environment.read({"TWILIO_AUTH_TOKEN": blank, "TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "token")})

    assert environment.twilio_auth_token == "from-the-file"


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_variable_alone_is_no_secret(blank):
    assert Environment.read({"TWILIO_AUTH_TOKEN": blank}).twilio_auth_token is None


def test_without_twilio_or_smtp_variables_nothing_leaves_the_machine():
    environment = Environment.read({})

    assert environment.twilio_account_sid is None and environment.twilio_auth_token is None
    assert environment.smtp is None


def test_the_mail_server_comes_from_the_smtp_variables():
    environment = Environment.read({"SMTP_HOST": " mail.example.fr ", "SMTP_PORT": "2525",
                                    "SMTP_FROM": "releve@cabinet.example.fr", "SMTP_USERNAME": "releve",
                                    "SMTP_PASSWORD": "s3cret", "SMTP_STARTTLS": "0"})

    assert environment.smtp == Smtp("mail.example.fr", 2525, "releve@cabinet.example.fr", username="releve",
                                    password="s3cret", starttls=False)


def test_a_port_that_is_not_a_number_is_a_clear_error():
    with pytest.raises(ConfigError) as error:
        Environment.read({"SMTP_HOST": "mail.example.fr", "SMTP_PORT": "smtp"})

    assert error.value.problems[0].key == "SMTP_PORT"
    assert "not a whole number" in error.value.problems[0].message


def test_the_configuration_is_the_bundled_example_unless_releve_config_names_another(tmp_path):
    assert Environment.read({}).config_path == BUNDLED_EXAMPLE
    assert BUNDLED_EXAMPLE.is_file()

    assert Environment.read({"RELEVE_CONFIG": str(tmp_path / "releve.yaml")}).config_path == tmp_path / "releve.yaml"


def test_the_database_is_a_sqlite_file_in_the_data_folder_unless_a_url_is_given(tmp_path):
    assert Environment.read({}).database(tmp_path) == f"sqlite:///{tmp_path / 'releve.sqlite3'}"
    assert Environment.read({"RELEVE_DATABASE_URL": "postgresql+psycopg://releve@db/releve"}).database(tmp_path) \
        == "postgresql+psycopg://releve@db/releve"
    assert Environment.read({"RELEVE_DATA_DIR": "/srv/releve"}).data_dir == Path("/srv/releve")


def test_a_boolean_variable_reads_the_usual_spellings():
    for written, expected in [("1", True), ("true", True), ("Yes", True), (" on ", True),
                              ("0", False), ("false", False), ("non", False)]:
        assert Environment.read({"RELEVE_BEHIND_PROXY": written}).behind_proxy is expected, written


def test_a_boolean_variable_unset_or_blank_takes_its_default():
    assert Environment.read({}).auto_migrate is True
    assert Environment.read({"RELEVE_AUTO_MIGRATE": "  "}).auto_migrate is True
    assert Environment.read({"RELEVE_AUTO_MIGRATE": "0"}).auto_migrate is False


def test_fallback_numbers_are_a_comma_separated_list():
    environment = Environment.read({"RELEVE_FALLBACK_NUMBERS": "+33145678910, +33142001122,"})

    assert environment.fallback_numbers == ("+33145678910", "+33142001122")


def test_a_secret_file_that_cannot_be_read_is_a_clear_configuration_error(tmp_path):
    with pytest.raises(ConfigError) as error:
        Environment.read({"TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "missing-token")})

    assert error.value.problems[0].key == "TWILIO_AUTH_TOKEN_FILE"
    assert "missing-token" in error.value.problems[0].message


def test_no_module_but_config_env_reads_the_environment():
    root = Path(__file__).resolve().parents[2]
    readers = [str(path.relative_to(root)) for package in ("calendars", "config", "coverage", "routing")
               for path in (root / package).rglob("*.py")
               if "os.environ" in path.read_text(encoding="utf-8") or "getenv" in path.read_text(encoding="utf-8")]

    assert readers == ["config/env.py"]
