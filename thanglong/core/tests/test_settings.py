"""Settings from ``THANGLONG_*`` variables: typed parsing, production refusals, the console command."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from thanglong.config import ConfigError, env_bool, env_choice, env_int, env_list, env_secret

PROJECT_DIR = Path(__file__).resolve().parents[3]
SETTINGS_FILE = PROJECT_DIR / "thanglong" / "settings.py"
# What a deployment would generate with `python -c "import secrets; print(secrets.token_urlsafe(50))"`.
PRODUCTION_SECRET = "q3Vb8-rT1mZ0xKp7LwYc2sNd5Hf9Gj4Ue6Ai0Ro8Ty3Iv1Bn7Mk5Xl2Ez9Wq6Pa4Sd"


def clean_environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """This process's environment without THANGLONG_*, DJANGO_* or DATABASE_URL, plus ``variables``.

    Other tests may set variables in this process (the browser tests allow async-unsafe calls,
    for one); a deployment would not have them.
    """
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("THANGLONG_", "DJANGO_")) and name != "DATABASE_URL"
    }
    environment.update(
        THANGLONG_VAR_DIR=str(tmp_path / "var"),
        THANGLONG_STATIC_ROOT=str(tmp_path / "static"),
        **variables,
    )
    return environment


def run_python(
    arguments: list[str], environment: dict[str, str], *, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        env=environment,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **variables: str) -> dict[str, Any]:
    """Run the settings module afresh under ``variables``, without touching the settings in use."""
    for name in list(os.environ):
        if name.startswith("THANGLONG_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    for name, value in clean_environment(tmp_path, **variables).items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(
        str(PROJECT_DIR / "thanglong" / "settings.py"), run_name="thanglong_settings_under_test"
    )


# --- production refuses unsafe settings ---------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="no secret: the development default"),
        pytest.param("too-short-0123456789", id="short secret"),
    ],
)
def test_production_refuses_to_start_without_a_proper_secret(tmp_path: Path, secret: str | None) -> None:
    environment = clean_environment(tmp_path, THANGLONG_ENV="production")
    if secret is not None:
        environment["THANGLONG_SECRET_KEY"] = secret

    process = run_python(["-c", "import thanglong.settings"], environment)

    assert process.returncode != 0
    assert "thanglong.config.ConfigError: THANGLONG_SECRET_KEY must be set" in process.stderr
    assert "50+ characters" in process.stderr


def test_production_refuses_debug(tmp_path: Path) -> None:
    environment = clean_environment(
        tmp_path, THANGLONG_ENV="production", THANGLONG_SECRET_KEY=PRODUCTION_SECRET, THANGLONG_DEBUG="true"
    )

    process = run_python(["-c", "import thanglong.settings"], environment)

    assert process.returncode != 0
    assert "thanglong.config.ConfigError: THANGLONG_DEBUG must be off when THANGLONG_ENV=production" in (
        process.stderr
    )


def test_production_reads_the_secret_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(PRODUCTION_SECRET + "\n", encoding="utf-8")
    environment = clean_environment(
        tmp_path, THANGLONG_ENV="production", THANGLONG_SECRET_KEY_FILE=str(secret_file)
    )

    process = run_python(
        ["-c", "import thanglong.settings as s; print(s.SECRET_KEY == " + repr(PRODUCTION_SECRET) + ")"],
        environment,
    )

    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "True"


def test_production_settings_pass_the_deployment_checklist(tmp_path: Path) -> None:
    """GIVEN a random secret and the public host name
    WHEN Django's deployment checklist runs with warnings counted as failures
    THEN it passes: HTTPS, HSTS, secure cookies and the rest are on by default in production."""
    environment = clean_environment(
        tmp_path,
        THANGLONG_ENV="production",
        THANGLONG_SECRET_KEY=PRODUCTION_SECRET,
        THANGLONG_ALLOWED_HOSTS="thanglong.congan.hanoi.gov.vn",
    )

    process = run_python(["-m", "thanglong.cli", "check", "--deploy", "--fail-level", "WARNING"], environment)

    assert process.returncode == 0, process.stdout + process.stderr
    assert "System check identified no issues" in process.stdout


# --- the console command --------------------------------------------------------------------------


def test_thanglong_without_arguments_prints_the_everyday_commands(tmp_path: Path) -> None:
    console_script = Path(sys.executable).with_name("thanglong")
    if not console_script.exists():
        pytest.skip(f"the `thanglong` console script is not installed next to {sys.executable}")

    process = subprocess.run(
        [str(console_script)],
        env=clean_environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )

    assert process.returncode == 0, process.stderr
    assert "Usage: thanglong <command>" in process.stdout
    for command in ("serve", "demo", "migrate", "db_worker"):
        assert f"  {command} " in process.stdout


# --- typed parsing of THANGLONG_* variables -----------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "1.5", "10 minutes"])
def test_env_int_names_the_variable_when_the_value_is_not_an_integer(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("THANGLONG_HSTS_SECONDS", raw)

    with pytest.raises(ConfigError, match=rf"^THANGLONG_HSTS_SECONDS='{raw}': expected an integer"):
        env_int("THANGLONG_HSTS_SECONDS", 0)


def test_env_int_enforces_its_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THANGLONG_MAX_REQUEST_BYTES", "10")

    with pytest.raises(ConfigError, match="THANGLONG_MAX_REQUEST_BYTES=10: must be at least 1024"):
        env_int("THANGLONG_MAX_REQUEST_BYTES", 4096, minimum=1024)


def test_env_int_falls_back_to_the_default_when_unset_or_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THANGLONG_SOME_NUMBER", raising=False)
    assert env_int("THANGLONG_SOME_NUMBER", 7) == 7
    monkeypatch.setenv("THANGLONG_SOME_NUMBER", "  ")
    assert env_int("THANGLONG_SOME_NUMBER", 7) == 7
    monkeypatch.setenv("THANGLONG_SOME_NUMBER", " 42 ")
    assert env_int("THANGLONG_SOME_NUMBER", 7) == 42


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("Yes", True), (" on ", True), ("0", False), ("FALSE", False), ("off", False), ("", False)],
)
def test_env_bool_accepts_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("THANGLONG_DEBUG", raw)
    assert env_bool("THANGLONG_DEBUG", default=not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "có", "2"])
def test_env_bool_names_the_variable_when_the_value_is_not_a_boolean(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("THANGLONG_SSL_REDIRECT", raw)

    with pytest.raises(ConfigError, match=r"^THANGLONG_SSL_REDIRECT=.*expected one of true/false"):
        env_bool("THANGLONG_SSL_REDIRECT")


def test_env_choice_names_the_variable_and_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THANGLONG_TASKS_BACKEND", "celery")

    with pytest.raises(ConfigError, match="THANGLONG_TASKS_BACKEND='celery': expected one of database, rq"):
        env_choice("THANGLONG_TASKS_BACKEND", "database", ("database", "rq"))


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THANGLONG_ALLOWED_HOSTS", " a.gov.vn, ,b.gov.vn ,")
    assert env_list("THANGLONG_ALLOWED_HOSTS", ["localhost"]) == ["a.gov.vn", "b.gov.vn"]


def test_env_secret_prefers_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "demo_password"
    secret_file.write_text("from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("THANGLONG_DEMO_PASSWORD", "from-the-variable")
    monkeypatch.setenv("THANGLONG_DEMO_PASSWORD_FILE", str(secret_file))

    assert env_secret("THANGLONG_DEMO_PASSWORD") == "from-the-file"


def test_a_bad_value_stops_the_settings_with_the_variable_name(tmp_path: Path) -> None:
    environment = clean_environment(tmp_path, THANGLONG_DB_CONN_MAX_AGE="one minute")

    process = run_python(["-c", "import thanglong.settings"], environment)

    assert process.returncode != 0
    assert "ConfigError: THANGLONG_DB_CONN_MAX_AGE='one minute': expected an integer" in process.stderr


# --- the database and job backends follow the environment ---------------------------------------


def test_postgres_database_url_selects_the_postgresql_engine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = load_settings(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://thanglong:m%40t-khau@db.congan.hanoi:5433/thanglong",
        THANGLONG_DB_CONN_MAX_AGE="120",
    )

    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "thanglong",
        "thanglong",
        "m@t-khau",
    )
    assert (database["HOST"], database["PORT"]) == ("db.congan.hanoi", 5433)
    assert database["CONN_MAX_AGE"] == 120
    assert database["CONN_HEALTH_CHECKS"] is True


def test_without_database_url_sqlite_lives_in_the_var_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = load_settings(monkeypatch, tmp_path)

    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "var" / "thanglong.sqlite3"
    # Web and worker processes share the file: WAL, and no connection kept across requests.
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["CONN_MAX_AGE"] == 0


def test_rq_backend_uses_the_configured_redis(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = load_settings(
        monkeypatch,
        tmp_path,
        THANGLONG_TASKS_BACKEND="rq",
        THANGLONG_REDIS_URL="redis://redis.internal:6379/3",
    )

    assert settings["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert "django_rq" in settings["INSTALLED_APPS"]
    assert set(settings["TASKS"]["default"]["QUEUES"]) <= set(settings["RQ_QUEUES"])
    assert {queue["URL"] for queue in settings["RQ_QUEUES"].values()} == {"redis://redis.internal:6379/3"}
