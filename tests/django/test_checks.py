"""``jwtflow.django.checks``: every bad setting is an Error naming the key and the fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import checks as django_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from jwtflow.django.checks import check_settings
from tests.pem import key_pair

JWTSettings = Callable[..., None]
CACHE_BACKEND = "jwtflow.django.stores.CacheBlacklistBackend"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
DUMMY = "django.core.cache.backends.dummy.DummyCache"


@pytest.fixture(scope="module")
def pem_keys() -> dict[str, str]:
    """PEM private keys by algorithm."""
    names = {"RS256": "rsa", "ES256": "p256", "EdDSA": "ed25519"}
    return {algorithm: key_pair(name).private.decode() for algorithm, name in names.items()}


def only_message(messages: list[django_checks.CheckMessage], check_id: str) -> str:
    """Assert there is exactly one message, with ``check_id``; return its text and hint."""
    assert [message.id for message in messages] == [check_id], messages
    return f"{messages[0].msg} {messages[0].hint}"


class TestValid:
    def test_test_settings_pass(self) -> None:
        assert check_settings() == []

    @pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
    def test_pem_key_under_its_algorithm_passes(
        self, jwt_settings: JWTSettings, pem_keys: dict[str, str], algorithm: str
    ) -> None:
        jwt_settings(SIGNING_KEY=pem_keys[algorithm], ALGORITHM=algorithm)

        assert check_settings() == []

    @pytest.mark.parametrize(("algorithm", "length"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
    def test_hmac_secret_of_the_minimum_length_passes(
        self, jwt_settings: JWTSettings, algorithm: str, length: int
    ) -> None:
        jwt_settings(SIGNING_KEY="k" * length, ALGORITHM=algorithm)

        assert check_settings() == []

    @pytest.mark.parametrize("field", ["id", "pk", "username"])
    def test_existing_allowed_user_id_field_passes(
        self, jwt_settings: JWTSettings, field: str
    ) -> None:
        jwt_settings(USER_ID_FIELD=field)

        assert check_settings() == []


class TestE001:
    def test_missing_signing_key(self, settings: Any) -> None:
        settings.JWTFLOW = {"ALGORITHM": "HS256"}

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['SIGNING_KEY']" in text
        assert "is required" in text
        assert "secrets.token_urlsafe" in text

    def test_missing_jwtflow_setting(self, settings: Any) -> None:
        del settings.JWTFLOW

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['SIGNING_KEY']" in text

    def test_unknown_key_suggests_the_close_one(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(ACCES_TOKEN_LIFETIME=60)

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['ACCES_TOKEN_LIFETIME']" in text
        assert "is not a jwtflow setting" in text
        assert "'ACCESS_TOKEN_LIFETIME'" in text

    @pytest.mark.parametrize("algorithm", ["none", "NONE", "None"])
    def test_algorithm_none_is_refused_in_any_case(
        self, jwt_settings: JWTSettings, algorithm: str
    ) -> None:
        jwt_settings(ALGORITHM=algorithm)

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['ALGORITHM']" in text
        assert "never allowed" in text

    def test_unknown_algorithm_lists_the_supported_ones(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(ALGORITHM="HS1024")

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['ALGORITHM']" in text
        assert "'HS1024' is not supported" in text
        assert "'HS256'" in text
        assert "'EdDSA'" in text

    @pytest.mark.parametrize(("algorithm", "length"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
    def test_short_hmac_secret(
        self, jwt_settings: JWTSettings, algorithm: str, length: int
    ) -> None:
        jwt_settings(SIGNING_KEY="k" * (length - 1), ALGORITHM=algorithm)

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['SIGNING_KEY']" in text
        assert f"is {length - 1} bytes; {algorithm} needs at least {length}" in text
        assert "secrets.token_urlsafe" in text

    def test_pem_key_under_hmac(self, jwt_settings: JWTSettings, pem_keys: dict[str, str]) -> None:
        jwt_settings(SIGNING_KEY=pem_keys["EdDSA"], ALGORITHM="HS256")

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['SIGNING_KEY']" in text
        assert "PEM" in text
        assert "HMAC" in text
        assert "set ALGORITHM to the key's family" in text

    @pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
    def test_plain_secret_under_asymmetric_algorithm(
        self, jwt_settings: JWTSettings, algorithm: str
    ) -> None:
        jwt_settings(SIGNING_KEY="s" * 64, ALGORITHM=algorithm)

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['SIGNING_KEY']" in text
        assert f"must be a PEM-encoded private key under {algorithm}" in text
        assert "Use an HS* ALGORITHM" in text

    @pytest.mark.parametrize("field", ["password", "is_staff"])
    def test_user_id_field_outside_the_allowlist(
        self, jwt_settings: JWTSettings, field: str
    ) -> None:
        jwt_settings(USER_ID_FIELD=field)

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['USER_ID_FIELD']" in text
        assert f"{field!r} is not in USER_ID_FIELD_ALLOWLIST" in text

    def test_bad_backend_is_an_error_not_a_crash(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(BLACKLIST_BACKEND="jwtflow.django.nowhere.Backend")

        text = only_message(check_settings(), "jwtflow.E001")

        assert "JWTFLOW['BLACKLIST_BACKEND']" in text


class TestUserIdField:
    def test_allowed_field_missing_from_the_user_model_is_e002(
        self, jwt_settings: JWTSettings
    ) -> None:
        jwt_settings(USER_ID_FIELD="uuid")

        text = only_message(check_settings(), "jwtflow.E002")

        assert "JWTFLOW['USER_ID_FIELD']" in text
        assert "User has no field 'uuid'" in text

    def test_field_of_a_custom_user_model_passes(
        self, settings: Any, jwt_settings: JWTSettings
    ) -> None:
        settings.AUTH_USER_MODEL = "testapp.SlugUser"
        jwt_settings(USER_ID_FIELD="username")

        assert check_settings() == []

    def test_non_unique_field_is_refused(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(USER_ID_FIELD="email")

        text = only_message(check_settings(), "jwtflow.E002")

        assert "JWTFLOW['USER_ID_FIELD']" in text


class TestCache:
    def test_unknown_cache_alias_is_e003(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(BLACKLIST_BACKEND=CACHE_BACKEND, BLACKLIST_CACHE_ALIAS="nowhere")

        text = only_message(check_settings(), "jwtflow.E003")

        assert "JWTFLOW['BLACKLIST_CACHE_ALIAS']" in text
        assert "'nowhere'" in text

    def test_locmem_cache_is_e004(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(BLACKLIST_BACKEND=CACHE_BACKEND)

        text = only_message(check_settings(), "jwtflow.E004")

        assert "JWTFLOW['BLACKLIST_BACKEND']" in text
        assert LOCMEM in text
        assert "BLACKLIST_ALLOW_LOCMEM" in text

    def test_locmem_cache_is_accepted_when_allowed(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(BLACKLIST_BACKEND=CACHE_BACKEND, BLACKLIST_ALLOW_LOCMEM=True)

        assert check_settings() == []

    @pytest.mark.parametrize("allow", [False, True])
    def test_dummy_cache_is_always_e004(
        self, settings: Any, jwt_settings: JWTSettings, allow: bool
    ) -> None:
        settings.CACHES = {**settings.CACHES, "dummy": {"BACKEND": DUMMY}}
        jwt_settings(
            BLACKLIST_BACKEND=CACHE_BACKEND,
            BLACKLIST_CACHE_ALIAS="dummy",
            BLACKLIST_ALLOW_LOCMEM=allow,
        )

        text = only_message(check_settings(), "jwtflow.E004")

        assert DUMMY in text

    def test_shared_cache_passes(self, settings: Any, jwt_settings: JWTSettings) -> None:
        backend = "django.core.cache.backends.redis.RedisCache"
        settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": backend}}
        jwt_settings(BLACKLIST_BACKEND=CACHE_BACKEND, BLACKLIST_CACHE_ALIAS="shared")

        assert check_settings() == []


DJANGO_REDIS = "django_redis.cache.RedisCache"
DJANGO_REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


class TestCacheThatSwallowsErrors:
    """A cache that turns an outage into a miss would turn it into "not revoked": E005."""

    @pytest.fixture
    def use_cache(self, settings: Any, jwt_settings: JWTSettings) -> Callable[..., None]:
        def apply(backend: str, **options: Any) -> None:
            cache: dict[str, Any] = {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/1"}
            if options:
                cache["OPTIONS"] = options
            settings.CACHES = {**settings.CACHES, "shared": cache}
            jwt_settings(BLACKLIST_BACKEND=CACHE_BACKEND, BLACKLIST_CACHE_ALIAS="shared")

        return apply

    @pytest.mark.parametrize("key", ["IGNORE_EXCEPTIONS", "ignore_exceptions"])
    @pytest.mark.parametrize("backend", [DJANGO_REDIS, DJANGO_REDIS_CACHE])
    def test_ignore_exceptions_option_is_e005(
        self, use_cache: Callable[..., None], key: str, backend: str
    ) -> None:
        use_cache(backend, **{key: True})

        text = only_message(check_settings(), "jwtflow.E005")

        assert "JWTFLOW['BLACKLIST_BACKEND']" in text
        assert "'shared'" in text
        assert "IGNORE_EXCEPTIONS" in text
        assert "503" in text

    def test_global_django_redis_setting_is_e005(
        self, settings: Any, use_cache: Callable[..., None]
    ) -> None:
        settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
        use_cache(DJANGO_REDIS)

        text = only_message(check_settings(), "jwtflow.E005")

        assert "DJANGO_REDIS_IGNORE_EXCEPTIONS" in text

    def test_option_false_overrides_the_global_setting(
        self, settings: Any, use_cache: Callable[..., None]
    ) -> None:
        settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
        use_cache(DJANGO_REDIS, IGNORE_EXCEPTIONS=False)

        assert check_settings() == []

    def test_global_setting_does_not_touch_djangos_own_backend(
        self, settings: Any, use_cache: Callable[..., None]
    ) -> None:
        settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
        use_cache(DJANGO_REDIS_CACHE)

        assert check_settings() == []

    def test_django_redis_that_raises_passes(self, use_cache: Callable[..., None]) -> None:
        use_cache(DJANGO_REDIS, CLIENT_CLASS="django_redis.client.DefaultClient")

        assert check_settings() == []

    def test_only_the_blacklist_cache_matters(
        self, settings: Any, jwt_settings: JWTSettings
    ) -> None:
        swallowing = {"BACKEND": DJANGO_REDIS, "OPTIONS": {"IGNORE_EXCEPTIONS": True}}
        shared = {"BACKEND": DJANGO_REDIS_CACHE}
        settings.CACHES = {**settings.CACHES, "pages": swallowing, "shared": shared}
        jwt_settings(BLACKLIST_BACKEND=CACHE_BACKEND, BLACKLIST_CACHE_ALIAS="shared")

        assert check_settings() == []

    def test_refuses_to_start_outside_manage_py(self, use_cache: Callable[..., None]) -> None:
        from django.apps import apps

        use_cache(DJANGO_REDIS, IGNORE_EXCEPTIONS=True)

        with pytest.raises(ImproperlyConfigured, match=r"jwtflow\.E005"):
            apps.get_app_config("jwtflow").ready()


def test_rotation_without_blacklist_is_w001(jwt_settings: JWTSettings) -> None:
    jwt_settings(ROTATE_REFRESH_TOKENS=True, BLACKLIST_ENABLED=False)

    messages = check_settings()

    text = only_message(messages, "jwtflow.W001")
    assert not messages[0].is_serious()
    assert "ROTATE_REFRESH_TOKENS" in text
    assert "BLACKLIST_ENABLED" in text


def test_no_rotation_without_blacklist_passes(jwt_settings: JWTSettings) -> None:
    jwt_settings(ROTATE_REFRESH_TOKENS=False, BLACKLIST_ENABLED=False)

    assert check_settings() == []


class TestManagePyCheck:
    def test_passes_under_good_settings(self) -> None:
        call_command("check", verbosity=0)

    def test_fails_under_a_bad_setting(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(ALGORITHM="none")

        with pytest.raises(SystemCheckError, match=r"jwtflow\.E001.*JWTFLOW\['ALGORITHM'\]"):
            call_command("check", verbosity=0)

    def test_a_warning_does_not_fail_it(self, jwt_settings: JWTSettings) -> None:
        jwt_settings(BLACKLIST_ENABLED=False)

        call_command("check", verbosity=0)
