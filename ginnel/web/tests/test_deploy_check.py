"""`django check --deploy` is clean with the settings a real deployment sets."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys


def run_deploy_check(tmp_path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GINNEL_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ginnel.settings",
        GINNEL_DATA_DIR=str(tmp_path),
        GINNEL_SECRET_KEY=secrets.token_urlsafe(64),
        GINNEL_ALLOWED_HOSTS="ginnel.example.org",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_production_configuration_passes_the_deploy_check(tmp_path):
    result = run_deploy_check(tmp_path, GINNEL_HTTPS="true", GINNEL_HSTS_PRELOAD="true")

    assert result.returncode == 0, result.stderr + result.stdout


def test_without_https_the_deploy_check_names_what_the_deployer_must_set(tmp_path):
    result = run_deploy_check(tmp_path)

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr
