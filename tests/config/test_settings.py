"""Production settings refuse to start without their secrets, and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k" * 20 + "-production-secret-value-" + "z" * 20
# What production needs to send messages (the key has Notify's shape: name-serviceid-secret).
MESSAGES = {
    "NOTIFY_API_KEY": (
        "familyreach_live-3a7c1e0e-8d2b-4f5e-9c1a-2b3c4d5e6f70-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
    ),
    "NOTIFY_EMAIL_TEMPLATE_ID": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
    "NOTIFY_SMS_TEMPLATE_ID": "1c2d3e4f-5061-4728-93a4-b5c6d7e8f901",
    "FAMILYREACH_DUTY_SAFEGUARDING_EMAIL": "duty-safeguarding@norfolk.gov.uk",
    "FAMILYREACH_VOLUNTEER_COORDINATOR_EMAIL": "volunteer-coordinators@norfolk.gov.uk",
}


def run_with_production_settings(
    environment: dict[str, str], *arguments: str
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "DATABASE_URL",
            "DATABASE_REPLICA_URL",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and key not in MESSAGES
    }
    env.update(environment)
    env["DJANGO_SETTINGS_MODULE"] = "familyreach.config.settings.production"
    return manage(env, *arguments)


def manage(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """`manage.py <arguments>` in a fresh process with exactly the environment `env`."""
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "manage.py"), *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPOSITORY,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_with_production_settings(
        {"DATABASE_URL": "sqlite:////tmp/x.sqlite3", "ALLOWED_HOSTS": "example.org"}, "check"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "need these environment variables" in result.stderr


def test_production_names_every_missing_variable() -> None:
    result = run_with_production_settings({}, "check")
    assert result.returncode != 0
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", *MESSAGES):
        assert name in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = run_with_production_settings(
        {
            "SECRET_KEY": "short",
            "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
            "ALLOWED_HOSTS": "example.org",
            **MESSAGES,
        },
        "check",
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_check_deploy_is_clean_with_production_settings() -> None:
    # On the PostgreSQL run this checks against the real server.
    database_url = os.environ.get("DATABASE_URL", "sqlite:////tmp/familyreach-deploy-check.sqlite3")
    result = run_with_production_settings(
        {
            "SECRET_KEY": GOOD_SECRET,
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "example.org",
            **MESSAGES,
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


SHOW_DATABASES = (
    "from django.conf import settings; "
    "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
    "settings.DATABASES.get('replica', {}).get('HOST'), "
    "settings.DATABASES.get('replica', {}).get('CONN_MAX_AGE'), "
    "'familyreach.core.db_routers.ReplicaPinMiddleware' in settings.MIDDLEWARE)"
)


def test_production_adds_the_read_replica_only_when_one_is_named() -> None:
    base = {
        "SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": "postgres://familyreach@primary.internal:5432/familyreach",
        "ALLOWED_HOSTS": "example.org",
        "CONN_MAX_AGE": "30",
        **MESSAGES,
    }
    without = run_with_production_settings(base, "shell", "-c", SHOW_DATABASES)
    assert without.returncode == 0, without.stderr
    assert without.stdout.strip().splitlines()[-1] == "['default'] [] None None False"

    replica = {
        **base,
        "DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/familyreach",
    }
    with_replica = run_with_production_settings(replica, "shell", "-c", SHOW_DATABASES)
    assert with_replica.returncode == 0, with_replica.stderr
    assert with_replica.stdout.strip().splitlines()[-1] == (
        "['default', 'replica'] ['familyreach.core.db_routers.ReplicaRouter'] "
        "replica.internal 30 True"
    )


BASICS = {
    "SECRET_KEY": GOOD_SECRET,
    "DATABASE_URL": "sqlite:////tmp/familyreach-settings-check.sqlite3",
    "ALLOWED_HOSTS": "example.org",
}


@pytest.mark.parametrize("missing", sorted(MESSAGES))
def test_production_refuses_to_start_without_each_message_setting(missing: str) -> None:
    """Without these a safeguarding concern would be "sent" nowhere, or to example.org."""
    environment = BASICS | {name: value for name, value in MESSAGES.items() if name != missing}
    result = run_with_production_settings(environment, "check")
    assert result.returncode != 0
    assert "need these environment variables: " + missing in result.stderr


def test_production_refuses_a_notify_key_of_the_wrong_shape() -> None:
    result = run_with_production_settings(
        BASICS | MESSAGES | {"NOTIFY_API_KEY": "not-a-key"}, "check"
    )
    assert result.returncode != 0
    assert "NOTIFY_API_KEY is not a GOV.UK Notify API key" in result.stderr


def test_production_starts_with_every_message_setting_and_sends_through_notify() -> None:
    result = run_with_production_settings(
        BASICS | MESSAGES,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; from familyreach.outbox.backends import "
        "backend_for_settings; print(backend_for_settings().name, "
        "settings.COMMUNITY_DUTY_SAFEGUARDING_EMAIL)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["govuk-notify", "duty-safeguarding@norfolk.gov.uk"]


def test_the_demo_keeps_the_console_backend() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in MESSAGES and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env["DJANGO_SETTINGS_MODULE"] = "familyreach.config.settings.dev"
    env["FAMILYREACH_DEMO_MODE"] = "true"
    result = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from familyreach.outbox.backends import backend_for_settings; "
        "print(backend_for_settings().name)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "console"
