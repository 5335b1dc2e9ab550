"""``jwtflow.django.apps``: the app wires the runtime and refuses to start on bad settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from jwtflow import runtime
from jwtflow.django import conf

JWTSettings = Callable[..., None]
ROOT = Path(__file__).resolve().parents[2]


def test_app_is_installed_under_the_jwtflow_label() -> None:
    app = apps.get_app_config("jwtflow")

    assert app.name == "jwtflow.django"
    assert apps.get_model("jwtflow", "BlacklistedToken")._meta.db_table == (
        "jwtflow_blacklistedtoken"
    )


def test_ready_installs_the_settings_runtime() -> None:
    apps.get_app_config("jwtflow").ready()

    assert runtime.current() is conf.get_runtime()


def test_ready_succeeds_under_good_settings_and_with_only_warnings(
    jwt_settings: JWTSettings,
) -> None:
    apps.get_app_config("jwtflow").ready()
    jwt_settings(BLACKLIST_ENABLED=False)  # jwtflow.W001, not an error

    apps.get_app_config("jwtflow").ready()


@pytest.mark.parametrize(
    ("overrides", "named", "fix"),
    [
        ({"ALGORITHM": "none"}, "JWTFLOW['ALGORITHM']", "Fix the 'ALGORITHM' entry"),
        ({"SIGNING_KEY": "short"}, "JWTFLOW['SIGNING_KEY']", "needs at least 32 random bytes"),
        (
            {"ACCES_TOKEN_LIFETIME": 60},
            "JWTFLOW['ACCES_TOKEN_LIFETIME']",
            "'ACCESS_TOKEN_LIFETIME'",
        ),
        ({"USER_ID_FIELD": "uuid"}, "JWTFLOW['USER_ID_FIELD']", "Name a unique field"),
        (
            {"BLACKLIST_BACKEND": "jwtflow.django.stores.CacheBlacklistBackend"},
            "JWTFLOW['BLACKLIST_BACKEND']",
            "RedisCache",
        ),
    ],
    ids=["algorithm", "short-key", "typo", "missing-field", "locmem-cache"],
)
def test_ready_refuses_a_bad_setting_and_names_it(
    jwt_settings: JWTSettings, overrides: dict[str, object], named: str, fix: str
) -> None:
    jwt_settings(**overrides)

    with pytest.raises(ImproperlyConfigured, match=r"^jwtflow\.E00\d: ") as caught:
        apps.get_app_config("jwtflow").ready()

    assert named in str(caught.value)
    assert fix in str(caught.value)


def test_ready_keeps_the_cache_in_step_with_the_settings(jwt_settings: JWTSettings) -> None:
    apps.get_app_config("jwtflow").ready()
    jwt_settings(ISSUER="https://changed.example")

    assert runtime.current().config.issuer == "https://changed.example"


# -- where the problems are reported: check vs. a server process (issue 5) -----------------------

#: The keys tests/badsettings.py gets wrong, with what each message says.
BAD_SETTINGS = {
    "ALGORITHM": "JWTFLOW['ALGORITHM']",
    "ACCES_TOKEN_LIFETIME": "'ACCESS_TOKEN_LIFETIME'",
    "LEEWAY": "JWTFLOW['LEEWAY']",
}


def run_python(*args: str) -> subprocess.CompletedProcess[str]:
    """Run this interpreter on the bad settings, from the project root."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.badsettings"}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_manage_py_check_lists_every_problem_without_a_traceback() -> None:
    # Guards 5963004: ready() raised on the first problem, so `check` printed a traceback and
    # none of the system-check messages the docs promise.
    result = run_python("-m", "django", "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "jwtflow.E001" in line]
    assert len(errors) == len(BAD_SETTINGS), result.stderr
    for named in BAD_SETTINGS.values():
        assert any(named in line for line in errors), named
    assert f"System check identified {len(BAD_SETTINGS)} issues" in result.stderr


@pytest.mark.parametrize(
    "program",
    [
        "import django; django.setup()",
        "from django.core.asgi import get_asgi_application; get_asgi_application()",
        "from django.core.wsgi import get_wsgi_application; get_wsgi_application()",
    ],
    ids=["setup", "asgi", "wsgi"],
)
def test_a_server_process_refuses_to_start_with_the_same_messages(program: str) -> None:
    result = run_python("-c", program)
    assert result.returncode == 1
    assert "django.core.exceptions.ImproperlyConfigured: jwtflow.E001: " in result.stderr
    for named in BAD_SETTINGS.values():
        assert named in result.stderr, named
    assert result.stderr.count("jwtflow.E001: ") == len(BAD_SETTINGS)


def test_uvicorn_refuses_to_start_with_the_same_messages() -> None:
    result = run_python(
        "-m", "uvicorn", "--factory", "django.core.asgi:get_asgi_application", "--port", "0"
    )
    assert result.returncode != 0
    for named in BAD_SETTINGS.values():
        assert named in result.stderr, named


def test_ready_prepares_the_keys_before_the_first_request(jwt_settings: JWTSettings) -> None:
    # A key no runtime has used yet (parsed keys are shared between runtimes).
    jwt_settings(SIGNING_KEY=secrets.token_urlsafe(48))
    assert all("codec" not in key.prepared for key in conf.get_runtime().keys.keys)

    apps.get_app_config("jwtflow").ready()

    assert all("codec" in key.prepared for key in conf.get_runtime().keys.keys)
