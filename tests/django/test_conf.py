"""``jwtflow.django.conf``: settings read once, rebuilt on change; backends and rules resolved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from jwtflow.django import conf
from jwtflow.django.stores import CacheBlacklistBackend, ModelBlacklistBackend
from jwtflow.errors import ConfigurationError
from jwtflow.rules import default_user_authentication_rule

JWTSettings = Callable[..., None]


class TestCaching:
    def test_config_and_runtime_are_built_once(self) -> None:
        assert conf.get_config() is conf.get_config()
        assert conf.get_runtime() is conf.get_runtime()
        assert conf.get_runtime().config is conf.get_config()

    def test_changing_jwtflow_rebuilds_config_and_runtime(self, jwt_settings: JWTSettings) -> None:
        config, runtime = conf.get_config(), conf.get_runtime()

        jwt_settings(ACCESS_TOKEN_LIFETIME=60, ISSUER="https://issuer.example")

        assert conf.get_config() is not config
        assert conf.get_config().access_token_lifetime == timedelta(seconds=60)
        assert conf.get_config().issuer == "https://issuer.example"
        assert conf.get_runtime() is not runtime
        assert conf.get_runtime().config is conf.get_config()

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("CACHES", {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}),
            ("USE_TZ", False),
            ("AUTH_USER_MODEL", "testapp.UUIDUser"),
        ],
    )
    def test_changing_a_setting_the_runtime_depends_on_rebuilds_it(
        self, settings: Any, name: str, value: object
    ) -> None:
        runtime = conf.get_runtime()

        setattr(settings, name, value)

        assert conf.get_runtime() is not runtime

    def test_unrelated_setting_keeps_the_cache(self, settings: Any) -> None:
        config, runtime = conf.get_config(), conf.get_runtime()

        settings.DEBUG = not settings.DEBUG

        assert conf.get_config() is config
        assert conf.get_runtime() is runtime

    def test_leaving_an_override_restores_the_original_settings(self) -> None:
        from django.test import override_settings

        with override_settings(JWTFLOW={"SIGNING_KEY": "x" * 64, "ALGORITHM": "HS512"}):
            assert conf.get_config().algorithm == "HS512"
        assert conf.get_config().algorithm == "HS256"

    def test_missing_jwtflow_setting_is_a_configuration_error(self, settings: Any) -> None:
        del settings.JWTFLOW
        # Deleting a setting sends no setting_changed signal, so the cache is cleared by hand.
        conf.clear_caches(setting="JWTFLOW")

        with pytest.raises(ConfigurationError) as caught:
            conf.get_config()
        assert caught.value.key == "SIGNING_KEY"


class _NotABackend:
    pass


class TestBlacklistBackend:
    def test_default_is_the_model_backend(self) -> None:
        assert isinstance(conf.get_runtime().ports.blacklist, ModelBlacklistBackend)

    @pytest.mark.parametrize(
        "value",
        ["jwtflow.django.stores.CacheBlacklistBackend", CacheBlacklistBackend],
        ids=["dotted-path", "class"],
    )
    def test_dotted_path_or_class_is_built_from_config(
        self, jwt_settings: JWTSettings, value: object
    ) -> None:
        jwt_settings(BLACKLIST_BACKEND=value, BLACKLIST_CACHE_ALIAS="blacklist")

        backend = conf.get_runtime().ports.blacklist

        assert isinstance(backend, CacheBlacklistBackend)
        assert backend.alias == "blacklist"

    def test_instance_is_used_as_is(self, jwt_settings: JWTSettings) -> None:
        instance = CacheBlacklistBackend("mine")
        jwt_settings(BLACKLIST_BACKEND=instance)

        assert conf.get_runtime().ports.blacklist is instance

    def test_unimportable_path_names_the_key(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(BLACKLIST_BACKEND="jwtflow.django.nowhere.Backend")

        with pytest.raises(ConfigurationError, match="cannot import") as caught:
            conf.get_runtime()
        assert caught.value.key == "BLACKLIST_BACKEND"
        assert "jwtflow.django.nowhere.Backend" in str(caught.value)

    @pytest.mark.parametrize(
        "value",
        [
            "jwtflow.rules.default_user_authentication_rule",
            _NotABackend,
            _NotABackend(),
            42,
        ],
        ids=["path-to-function", "other-class", "other-instance", "number"],
    )
    def test_non_backend_is_refused(self, jwt_settings: JWTSettings, value: object) -> None:
        jwt_settings(BLACKLIST_BACKEND=value)

        with pytest.raises(
            ConfigurationError, match=r"is not a jwtflow\.BlacklistBackend"
        ) as caught:
            conf.get_runtime()
        assert caught.value.key == "BLACKLIST_BACKEND"

    def test_backend_class_that_cannot_be_built_is_refused(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(BLACKLIST_BACKEND="jwtflow.ports.BlacklistBackend")

        with pytest.raises(ConfigurationError) as caught:
            conf.get_runtime()
        assert caught.value.key == "BLACKLIST_BACKEND"


class _RestflowStyleStore(ModelBlacklistBackend):
    """A store ported by renaming only: drf-restflow's ``is_blacklisted`` is ``async def``."""

    async def is_blacklisted(self, jti: str) -> bool:  # type: ignore[override]
        return False


class _SyncTwinStore(ModelBlacklistBackend):
    """An ``a``-twin written as a plain def: the async driver would await a bool."""

    def ablacklist(self, jti: str, *, expires_at: Any) -> bool:  # type: ignore[override]
        return True


@pytest.mark.parametrize(
    ("backend", "method"),
    [(_RestflowStyleStore, "is_blacklisted"), (_SyncTwinStore, "ablacklist")],
)
def test_a_store_method_of_the_wrong_kind_is_refused_at_start_up(
    jwt_settings: JWTSettings, backend: type, method: str
) -> None:
    jwt_settings(BLACKLIST_BACKEND=backend)

    with pytest.raises(ConfigurationError) as caught:
        conf.get_runtime()
    assert caught.value.key == "BLACKLIST_BACKEND"
    assert f"{backend.__qualname__}.{method} must be" in str(caught.value)


def _staff_only(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


class TestUserAuthenticationRule:
    def test_default_is_the_active_user_rule(self) -> None:
        assert conf.get_runtime().rule is default_user_authentication_rule

    def test_dotted_path_is_imported(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(USER_AUTHENTICATION_RULE=f"{__name__}._staff_only")

        assert conf.get_runtime().rule is _staff_only

    def test_callable_is_used_as_is(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(USER_AUTHENTICATION_RULE=_staff_only)

        assert conf.get_runtime().rule is _staff_only

    @pytest.mark.parametrize(
        "value", [42, "jwtflow.config.ALGORITHMS"], ids=["number", "path-to-non-callable"]
    )
    def test_not_callable_is_refused(self, jwt_settings: JWTSettings, value: object) -> None:
        jwt_settings(USER_AUTHENTICATION_RULE=value)

        with pytest.raises(ConfigurationError, match="is not callable") as caught:
            conf.get_runtime()
        assert caught.value.key == "USER_AUTHENTICATION_RULE"

    @pytest.mark.parametrize("value", ["jwtflow.rules.nope", "no_dots"])
    def test_unimportable_is_refused(self, jwt_settings: JWTSettings, value: str) -> None:
        jwt_settings(USER_AUTHENTICATION_RULE=value)

        with pytest.raises(ConfigurationError, match="cannot import") as caught:
            conf.get_runtime()
        assert caught.value.key == "USER_AUTHENTICATION_RULE"
