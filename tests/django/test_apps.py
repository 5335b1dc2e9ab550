"""``jwtflow.django.apps``: the app wires the runtime and refuses to start on bad settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from jwtflow import runtime
from jwtflow.django import conf

JWTSettings = Callable[..., None]


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
